import { describe, expect, it } from "vitest";
import { formatInterval } from "./format-interval";
import { upstreamTime } from "./testing";

describe("formatInterval", () => {
  const values = [0, 1, 2, 59, 60, 61, 119, 3600, 3601, 3661, 7325, 86400, 59.5, 0.25, 3600.5];

  it("words durations exactly like rdiff-backup's inttopretty", () => {
    expect(values.map(formatInterval)).toEqual(upstreamTime("UTC", values.map((v) => ["inttopretty", [v]])));
  });

  it.each([
    [0, "0 seconds"],
    [61, "1 minute 1 second"],
    [7325, "2 hours 2 minutes 5 seconds"],
    [3600, "1 hour"],
    [1.5, "1.50 seconds"],
  ])("formats %d seconds as %j", (s, text) => {
    expect(formatInterval(s)).toBe(text);
  });
});
