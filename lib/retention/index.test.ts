import { describe, expect, it } from "vitest";
import { applyRetention } from "./index";

const DAY = 86_400;
const now = Date.UTC(2026, 10, 21, 12) / 1000; // Saturday 2026-11-21 12:00 UTC
/** One increment a day at 02:00 UTC for the last `n` days (oldest first). */
const daily = (n: number) => Array.from({ length: n }, (_, i) => now - (n - i) * DAY - 10 * 3600);

describe("applyRetention", () => {
  it("keeps everything when no rule is set, and always the newest", () => {
    const times = daily(5);
    expect(applyRetention(times, {}, now).remove).toEqual([]);
    const r = applyRetention(times, { keepLast: 1 }, now);
    expect(r.keep).toEqual([times[4]]);
    expect(r.remove).toEqual(times.slice(0, 4));
    expect(r.reasons.get(times[4])).toContain("newest");
  });

  it("removes what is older than the time spec, like rdiff-backup --remove-older-than", () => {
    const times = daily(10);
    const r = applyRetention(times, { olderThan: "3D" }, now);
    // 3D before now is 2026-11-18 12:00: only the increments of 11-19 and 11-20 (02:00) are newer.
    expect(r.keep.map((t) => new Date(t * 1000).toISOString().slice(0, 10))).toEqual(["2026-11-19", "2026-11-20"]);
    expect(r.remove).toHaveLength(8);
  });

  it("keeps the newest increment of each of the last N days, weeks and months", () => {
    const times = [...daily(70), now - DAY - 3600]; // two increments on 2026-11-20
    const r = applyRetention(times, { keepDaily: 3, keepWeekly: 2, keepMonthly: 3 }, now);
    const days = r.keep.map((t) => new Date(t * 1000).toISOString().slice(0, 13));
    expect(days).toContain("2026-11-20T11"); // the later one of the 20th
    expect(days).not.toContain("2026-11-20T02");
    expect(days.filter((d) => d.startsWith("2026-11-1"))).toEqual(["2026-11-15T02", "2026-11-18T02", "2026-11-19T02"]);
    expect(days).toContain("2026-10-31T02"); // newest of October
    expect(days).toContain("2026-09-30T02"); // newest of September
    expect(r.reasons.get(r.keep.at(-1)!)).toEqual(expect.arrayContaining(["newest", "daily 1/3", "weekly 1/2", "monthly 1/3"]));
  });

  it("keeps an increment when any rule keeps it (union of rules)", () => {
    const times = daily(20);
    const a = applyRetention(times, { keepLast: 2 }, now).keep;
    const b = applyRetention(times, { olderThan: "5D" }, now).keep;
    const both = applyRetention(times, { keepLast: 2, olderThan: "5D" }, now).keep;
    expect(new Set(both)).toEqual(new Set([...a, ...b]));
  });

  it("rejects a bad time spec with a clear error", () => {
    expect(() => applyRetention(daily(3), { olderThan: "3d" }, now)).toThrow(/couldn't be parsed|parse/i);
  });
});
