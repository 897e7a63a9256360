import { describe, expect, it } from "vitest";
import { stringToTime, timeToPretty, timeToString, tzdFor } from "./time-string";
import { upstreamTime } from "./testing";
import { fixedZone, ianaZone } from "./zone";

const T = 1704888000; // 2024-01-10T12:00:00Z
const SUMMER = 1712052000; // 2024-04-02T10:00:00Z

describe("timeToString", () => {
  it.each([
    ["UTC", T, false, "2024-01-10T12:00:00Z"],
    ["Europe/Berlin", 1711360800, false, "2024-03-25T11:00:00+01:00"],
    ["Europe/Berlin", SUMMER, false, "2024-04-02T12:00:00+02:00"],
    ["Asia/Kolkata", T, false, "2024-01-10T17:30:00+05:30"],
    ["America/New_York", T, false, "2024-01-10T07:00:00-05:00"],
    ["Europe/Berlin", 1711360800, true, "2024-03-25T11-00-00+01-00"],
    ["UTC", T, true, "2024-01-10T12-00-00Z"],
    ["America/St_Johns", T, false, "2024-01-10T08:30:00-04:30"],
  ])("formats in %s like rdiff-backup (t=%i, compatible=%s)", (zone, t, compatible, expected) => {
    expect(timeToString(t, { zone: ianaZone(zone), compatible })).toBe(expected);
  });

  it("uses the offset in force at the instant, not now", () => {
    const berlin = ianaZone("Europe/Berlin");
    expect(timeToString(1711846799, { zone: berlin })).toBe("2024-03-31T01:59:59+01:00");
    expect(timeToString(1711846800, { zone: berlin })).toBe("2024-03-31T03:00:00+02:00");
  });

  it("writes negative half-hour offsets with upstream's floor division", () => {
    expect(tzdFor(-210 * 60)).toBe("-04:30");
    expect(tzdFor(330 * 60, true)).toBe("+05-30");
    expect(tzdFor(0)).toBe("Z");
  });

  it.each(["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "America/New_York"])(
    "agrees with rdiff-backup's timetostring and stringtotime in %s",
    (zone) => {
      const times = [T, SUMMER, 1711846799, 1711846800, 946684800, 4102358399, 1234567890];
      const up = upstreamTime(zone, times.map((t) => ["timetostring", [t]]));
      const ours = times.map((t) => timeToString(t, { zone: ianaZone(zone) }));
      expect(ours).toEqual(up);
      expect(ours.map(stringToTime)).toEqual(times);
    },
  );
});

describe("stringToTime", () => {
  it.each([
    ["2024-01-10T12:00:00Z", T],
    ["2024-01-10T13:00:00+01:00", T],
    ["2024-01-10T13-00-00+01-00", T],
    ["2024-01-10T07:00:00-05:00", T],
    ["2024-01-10T17:30:00+05:30", T],
    ["2024-01-10T08:30:00-04:30", T],
    ["2024-02-31T00:00:00Z", 1709337600],
    ["2024-01-10T12:00:60Z", T + 60],
    ["2024:01:10T12-00:00Z", T],
    ["2024-1-10T12:00:00Z", null],
    ["2024-01-10T12:00:00+0100", null],
    ["2024-01-10T12:00:00", null],
    ["2024-01-10T12:00:00z", null],
    ["1900-01-10T12:00:00Z", null],
    ["2100-01-10T12:00:00Z", null],
    ["2024-13-10T12:00:00Z", null],
    ["2024-01-10T24:00:00Z", null],
    ["2024-01-10T12:00:62Z", null],
    ["increments", null],
    ["", null],
  ])("parses %j like upstream stringtotime", (s, expected) => {
    expect(stringToTime(s)).toBe(expected);
  });

  it("agrees with upstream on odd but accepted spellings", () => {
    const inputs = ["2024-01-10T12:00: 0Z", "2024-01-10T12:00:+1Z", "2024-01-10T1_2:00:0Z", "2024-01-10T12:00:00+01-0 ", "2024-01-10T12:00:00-00:00"];
    expect(inputs.map(stringToTime)).toEqual(upstreamTime("UTC", inputs.map((s) => ["stringtotime", [s]])));
  });
});

describe("timeToPretty", () => {
  it("prints time.asctime's form with a space-padded day", () => {
    expect(timeToPretty(1711965600, fixedZone(0))).toBe("Mon Apr  1 10:00:00 2024");
    expect(timeToPretty(T, ianaZone("Europe/Berlin"))).toBe("Wed Jan 10 13:00:00 2024");
    expect(upstreamTime("Europe/Berlin", [["timetopretty", [T]]])).toEqual(["Wed Jan 10 13:00:00 2024"]);
  });
});
