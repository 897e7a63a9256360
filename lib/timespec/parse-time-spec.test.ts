import { describe, expect, it } from "vitest";
import { intervalToSeconds, parseTimeSpec, TimeSpecError } from "./parse-time-spec";
import { upstreamTime } from "./testing";
import { fixedZone, ianaZone } from "./zone";

const NOW = 1712314800; // 2024-04-05T11:00:00Z
const SESSIONS = [1711360800, 1711533600, 1711792800, 1712052000, 1712311200];
const utc = { now: NOW, sessionTimes: SESSIONS, zone: fixedZone(0), offsetNow: 0 };

describe("parseTimeSpec", () => {
  it.each([
    ["now", NOW],
    ["0", 0],
    ["20240101", 20240101],
    ["1711533600", 1711533600],
    ["2024-01-11T12:00:00+02:00", 1704967200],
    ["2024-01-11T12:00:00Z", 1704974400],
    ["2024-01-11T12-00-00+02-00", 1704967200],
    ["2024-01-11T12:00:00", 1704974400],
    ["0B", 1712311200],
    ["1B", 1712052000],
    ["4B", 1711360800],
    ["9B", 1711360800],
    ["Thu Jan 11 12:00:00 2024", 1704974400],
    ["thursday JANUARY  11 12:00:00 2024", 1704974400],
    ["Mon Apr  1 9:5:7 2024", 1711962307],
    ["1h", NOW - 3600],
    ["3D", NOW - 259200],
    ["3D64s", NOW - 259264],
    ["2h30m", NOW - 9000],
    ["1W", NOW - 604800],
    ["2M", NOW - 2 * 30 * 86400],
    ["1Y", NOW - 365 * 86400],
    ["0s", NOW],
    ["2024-01-11", 1704931200],
    ["2024/1/5", 1704412800],
    ["1/5/2024", 1704412800],
    ["01-05-2024", 1704412800],
  ])("resolves %j like rdiff-backup", (spec, expected) => {
    expect(parseTimeSpec(spec, utc)).toBe(expected);
  });

  it.each(["3d", "1h30", "h", "5x", "yesterday", "2024-13-01", "2024-01-11T12:00", "2024-01-11 12:00:00", "Thu Feb 30 12:00:00 2024", "-1h", ""])(
    "rejects %j with rdiff-backup's message",
    (spec) => {
      expect(() => parseTimeSpec(spec, utc)).toThrow(TimeSpecError);
      expect(() => parseTimeSpec(spec, utc)).toThrow(/^Time string ".*" couldn't be parsed: use "now"/);
    },
  );

  it("refuses NB when the repository has no sessions", () => {
    expect(() => parseTimeSpec("1B", { now: NOW })).toThrow('Time string "1B" couldn\'t be parsed: the repository has no sessions');
  });

  it("counts sessions back from an unsorted list", () => {
    expect(parseTimeSpec("1B", { ...utc, sessionTimes: [...SESSIONS].reverse() })).toBe(1712052000);
  });

  it("reads zoneless date-times and dates with the offset in force now, not at that date", () => {
    const berlin = { now: NOW, zone: ianaZone("Europe/Berlin"), offsetNow: 3600 };
    expect(parseTimeSpec("2024-07-01T12:00:00", berlin)).toBe(1719831600);
    expect(parseTimeSpec("2024-07-01", berlin)).toBe(1719788400);
    // asctime goes through mktime, which does use the date's own offset (DST in July).
    expect(parseTimeSpec("Mon Jul  1 12:00:00 2024", berlin)).toBe(1719828000);
  });

  it.each(["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])("agrees with rdiff-backup's genstrtotime in %s", (tz) => {
    const specs = [
      "now", "123", "2024-01-11T12:00:00+02:00", "2024-01-11T12:00:00", "2024-07-11T12:00:00", "2B", "7B",
      "Thu Jan 11 12:00:00 2024", "Sat Jul 13 23:59:59 2024", "Sun Mar 31 02:30:00 2024", "7D1h1s", "1h",
      "2024-01-11", "2024-7-4", "7/4/2024", "2024/02/30", "1970-01-01T00:00:00Z", "bogus", "3d", "1h30",
    ];
    const zone = ianaZone(tz);
    const offsetNow = zone.offsetAt(Math.floor(Date.now() / 1000));
    const up = upstreamTime(tz, specs.map((s) => ["genstrtotime", [s, NOW, null, SESSIONS]]));
    const ours = specs.map((s) => {
      try {
        return parseTimeSpec(s, { now: NOW, sessionTimes: SESSIONS, zone, offsetNow });
      } catch (err) {
        if (err instanceof TimeSpecError) return { error: "TimeException" };
        throw err;
      }
    });
    expect(ours).toEqual(up);
  });
});

describe("intervalToSeconds", () => {
  it.each([
    ["1s", 1],
    ["5m3s", 303],
    ["1Y2M3W4D5h6m7s", 365 * 86400 + 60 * 86400 + 21 * 86400 + 4 * 86400 + 5 * 3600 + 367],
    ["10s10s", 20],
    ["s", null],
    ["1", null],
    ["1x", null],
    ["1h 2m", null],
  ])("reads %j", (s, expected) => {
    expect(intervalToSeconds(s)).toBe(expected);
  });
});
