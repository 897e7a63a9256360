import { afterEach, describe, expect, it } from "vitest";
import { fixedZone, ianaZone, localZone, wallTimeToEpoch } from "./zone";

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe("zones", () => {
  it.each([
    ["UTC", 1704888000, 0],
    ["Europe/Berlin", 1704888000, 3600],
    ["Europe/Berlin", 1719831600, 7200],
    ["Asia/Kolkata", 1704888000, 19800],
    ["America/St_Johns", 1704888000, -12600],
    ["Pacific/Chatham", 1704888000, 49500],
  ])("ianaZone(%s) gives the offset in force at %i", (name, t, offset) => {
    expect(ianaZone(name).offsetAt(t)).toBe(offset);
  });

  it("localZone follows the process TZ", () => {
    process.env.TZ = "Asia/Kolkata";
    expect(localZone.offsetAt(1704888000)).toBe(19800);
    process.env.TZ = "America/New_York";
    expect(localZone.offsetAt(1704888000)).toBe(-18000);
  });

  it("names an unknown zone in its error", () => {
    expect(() => ianaZone("Mars/Olympus")).toThrow('Unknown time zone "Mars/Olympus"');
  });

  it("converts local wall time back to the instant, across DST", () => {
    const berlin = ianaZone("Europe/Berlin");
    expect(wallTimeToEpoch(Date.UTC(2024, 0, 10, 13) / 1000, berlin)).toBe(1704888000);
    expect(wallTimeToEpoch(Date.UTC(2024, 6, 1, 12) / 1000, berlin)).toBe(1719828000);
    expect(wallTimeToEpoch(Date.UTC(2024, 0, 10, 12) / 1000, fixedZone(0))).toBe(1704888000);
  });
});
