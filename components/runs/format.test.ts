// Durations, ages and sizes as the runs and fleet views show them.
import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatDuration } from "./format";

describe("run formatting", () => {
  it("formats durations from seconds to days, and unknown ones as a dash", () => {
    expect(formatDuration(null)).toBe("-");
    expect(formatDuration(-5)).toBe("-");
    expect(formatDuration(4_400)).toBe("4 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration((3 * 3600 + 4 * 60 + 9) * 1000)).toBe("3 h 4 min");
    expect(formatDuration((2 * 86400 + 5 * 3600) * 1000)).toBe("2 d 5 h");
  });

  it("formats ages at an injected time, dropping the smallest unit", () => {
    const now = new Date("2026-11-20T12:00:00Z");
    expect(formatAge(null, now)).toBe("never");
    expect(formatAge(new Date("2026-11-20T11:59:30Z"), now)).toBe("30 s ago");
    expect(formatAge(new Date("2026-11-20T06:50:00Z"), now)).toBe("5 h ago");
    expect(formatAge(new Date("2026-11-20T12:10:00Z"), now)).toBe("in 10 min 0 s");
  });

  it("formats sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(100_000)).toBe("97.7 KiB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5.0 GiB");
  });
});
