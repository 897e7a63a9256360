// The shared job contract: preset schedules survive a round trip through cron, selection order, defaults per method.
import { describe, expect, it } from "vitest";
import { toCron, type ScheduleInput } from "@/lib/schedule";
import { jobDefinition, jobInput, scheduleFromCron, selectionRules } from "./job";

describe("job schema", () => {
  it("reads presets back from the cron expressions they make, and anything else as cron", () => {
    const presets: ScheduleInput[] = [
      { kind: "hourly", minute: 5 },
      { kind: "daily", at: "02:30" },
      { kind: "weekly", day: 0, at: "23:59" },
      { kind: "monthly", day: 31, at: "00:00" },
    ];
    for (const p of presets) expect(scheduleFromCron(toCron(p))).toEqual(p);
    expect(scheduleFromCron("*/15 * * * *")).toEqual({ kind: "cron", expression: "*/15 * * * *" });
    expect(scheduleFromCron("0 2 * * 1-5")).toEqual({ kind: "cron", expression: "0 2 * * 1-5" });
  });

  it("orders a mirror selection as excludes, includes, then exclude-everything-else when something is included", () => {
    expect(selectionRules(["/etc"], ["/etc/ssl"])).toEqual([
      { kind: "exclude", glob: "/etc/ssl" },
      { kind: "include", glob: "/etc" },
      { kind: "exclude", glob: "**" },
    ]);
    expect(selectionRules([], ["**/*.tmp"])).toEqual([{ kind: "exclude", glob: "**/*.tmp" }]);
  });

  it("fills method defaults and keeps dump options apart per method", () => {
    const j = jobInput.parse({ name: "pg", method: "pgsql", schedule: { kind: "hourly", minute: 0 }, options: { user: "postgres" } });
    expect(j.options).toEqual({ databases: [], user: "postgres", host: "localhost", port: 5432, compression: "bzip2" });
    expect(j.notify).toMatchObject({ onFailure: true, onSuccess: false, onOverdue: true });
    const bad = jobInput.safeParse({ name: "t", method: "tarball_incremental", sources: ["/srv"], schedule: { kind: "daily", at: "25:00" }, options: { masterFrequency: "weekly", masterDay: 7 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["schedule.at", "options.masterDay"]));
  });

  it("accepts a versioned definition for the agent and refuses an unknown version", () => {
    const def = {
      v: 1, id: "6f1c2b1e-8a57-4a3c-9d8e-2f0b6c1d2e3f", hostId: "6f1c2b1e-8a57-4a3c-9d8e-2f0b6c1d2e40", name: "etc", enabled: true, revision: 3,
      method: "mirror", options: {}, sources: ["/etc"], includes: [], excludes: [], schedule: "0 2 * * *", retention: { keepLast: 5 },
      preCommand: null, postCommand: null, runMissed: false, overdueAfterHours: 36, notify: { emails: [] },
    };
    expect(jobDefinition.parse(def).revision).toBe(3);
    expect(jobDefinition.safeParse({ ...def, v: 2 }).success).toBe(false);
  });
});
