import { describe, expect, it } from "vitest";
import { missedFireTimes, nextFireTimes, scheduleInput, toCron, validateCron } from "./index";

describe("schedules", () => {
  it("turns presets into cron expressions", () => {
    expect(toCron({ kind: "hourly", minute: 15 })).toBe("15 * * * *");
    expect(toCron({ kind: "daily", at: "02:30" })).toBe("30 2 * * *");
    expect(toCron({ kind: "weekly", day: 0, at: "23:05" })).toBe("5 23 * * 0");
    expect(toCron({ kind: "monthly", day: 1, at: "04:00" })).toBe("0 4 1 * *");
  });

  it("rejects bad form values with readable messages", () => {
    expect(scheduleInput.safeParse({ kind: "daily", at: "25:00" }).error?.issues[0].message).toBe("Use HH:MM, e.g. 02:30");
    expect(scheduleInput.safeParse({ kind: "weekly", day: 7, at: "01:00" }).success).toBe(false);
    expect(() => validateCron("61 * * * *")).toThrow(/Invalid schedule "61 \* \* \* \*"/);
    expect(() => validateCron("0 2 * * *", "Mars/Olympus")).toThrow(/Invalid schedule/);
  });

  it("lists the next five fire times in the agent's time zone, across the end of summer time", () => {
    const from = new Date("2026-10-23T12:00:00Z");
    const runs = nextFireTimes("30 2 * * *", 5, from, "Europe/Paris");
    expect(runs.map((d) => d.toISOString())).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z", // 02:30 happens twice that night (CEST → CET): the first one fires
      "2026-10-26T01:30:00.000Z",
      "2026-10-27T01:30:00.000Z",
      "2026-10-28T01:30:00.000Z",
    ]);
  });

  it("finds the runs missed while the agent was down", () => {
    const missed = missedFireTimes("0 * * * *", new Date("2026-11-21T10:30:00Z"), new Date("2026-11-21T13:00:00Z"), "UTC");
    expect(missed.map((d) => d.toISOString().slice(11, 16))).toEqual(["11:00", "12:00", "13:00"]);
  });
});
