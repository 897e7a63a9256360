import { describe, expect, it } from "vitest";
import { Scheduler } from "./scheduler";
import { localHost, mirrorJob } from "../tasks/test-jobs";

const host = localHost();
const at = (iso: string) => new Date(iso);

describe("Scheduler (injected clock)", () => {
  it("fires a daily job at its time in the agent's zone, once, then waits for the next day", () => {
    const job = mirrorJob(host, { schedule: "30 2 * * *" });
    const s = new Scheduler("Europe/Paris");
    s.setJobs([job], at("2026-06-01T00:00:00Z"));
    // 02:30 in Paris (summer, UTC+2) is 00:30 UTC.
    expect(s.nextFire(job.definition.id)).toEqual(at("2026-06-01T00:30:00Z"));
    expect(s.due(at("2026-06-01T00:29:59Z"))).toEqual([]);
    const fires = s.due(at("2026-06-01T00:30:00Z"));
    expect(fires.map((f) => [f.job.definition.id, f.trigger, f.time.toISOString()])).toEqual([[job.definition.id, "schedule", "2026-06-01T00:30:00.000Z"]]);
    expect(s.due(at("2026-06-01T00:30:01Z"))).toEqual([]);
    expect(s.nextWake()).toEqual(at("2026-06-02T00:30:00Z"));
  });

  it("coalesces fire times that passed while the clock jumped into one fire", () => {
    const job = mirrorJob(host, { schedule: "*/10 * * * *" });
    const s = new Scheduler("UTC");
    s.setJobs([job], at("2026-06-01T00:00:00Z"));
    expect(s.due(at("2026-06-01T01:05:00Z"))).toHaveLength(1);
    expect(s.nextFire(job.definition.id)).toEqual(at("2026-06-01T01:10:00Z"));
  });

  it("never fires disabled jobs and drops jobs that disappear", () => {
    const off = mirrorJob(host, { enabled: false, schedule: "* * * * *" });
    const on = mirrorJob(host, { schedule: "* * * * *" });
    const s = new Scheduler("UTC");
    s.setJobs([off, on], at("2026-06-01T00:00:00Z"));
    expect(s.due(at("2026-06-01T00:05:00Z")).map((f) => f.job.definition.id)).toEqual([on.definition.id]);
    s.setJobs([off], at("2026-06-01T00:05:00Z"));
    expect(s.due(at("2026-06-01T01:00:00Z"))).toEqual([]);
    expect(s.nextWake()).toBeNull();
  });

  it("reschedules a job whose definition changed, keeps unchanged ones, and reports invalid schedules", () => {
    const job = mirrorJob(host, { schedule: "0 3 * * *" });
    const s = new Scheduler("UTC");
    s.setJobs([job], at("2026-06-01T00:00:00Z"));
    expect(s.nextFire(job.definition.id)).toEqual(at("2026-06-01T03:00:00Z"));
    const changed = { ...job, definition: { ...job.definition, revision: 2, schedule: "0 1 * * *" } };
    expect(s.setJobs([changed], at("2026-06-01T00:10:00Z"))).toEqual([]);
    expect(s.nextFire(job.definition.id)).toEqual(at("2026-06-01T01:00:00Z"));
    const bad = { ...job, definition: { ...job.definition, revision: 3, schedule: "61 * * * *" } };
    const problems = s.setJobs([bad], at("2026-06-01T00:20:00Z"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Job "files" is not scheduled: Invalid schedule "61 \* \* \* \*"/);
    expect(s.nextFire(job.definition.id)).toBeNull();
  });

  it("finds runs missed while stopped: one missed fire for runMissed jobs, a new baseline for every job", () => {
    const catchUp = mirrorJob(host, { schedule: "0 * * * *", runMissed: true });
    const noCatchUp = mirrorJob(host, { schedule: "0 * * * *", runMissed: false });
    const fresh = mirrorJob(host, { schedule: "0 * * * *", runMissed: true });
    const upToDate = mirrorJob(host, { schedule: "0 * * * *", runMissed: true });
    const last: Record<string, number> = {
      [catchUp.definition.id]: Date.parse("2026-06-01T00:00:00Z") / 1000,
      [noCatchUp.definition.id]: Date.parse("2026-06-01T00:00:00Z") / 1000,
      [upToDate.definition.id]: Date.parse("2026-06-01T05:00:00Z") / 1000,
    };
    const s = new Scheduler("UTC");
    const now = at("2026-06-01T05:30:00Z");
    const r = s.missed([catchUp, noCatchUp, fresh, upToDate], (id) => last[id], now);
    expect(r.fires.map((f) => [f.job.definition.id, f.trigger, f.time.toISOString()])).toEqual([[catchUp.definition.id, "missed", "2026-06-01T05:00:00.000Z"]]);
    expect(r.lastFires).toEqual({
      [catchUp.definition.id]: Date.parse("2026-06-01T05:00:00Z") / 1000,
      [noCatchUp.definition.id]: Date.parse("2026-06-01T05:00:00Z") / 1000,
      [fresh.definition.id]: now.getTime() / 1000,
    });
  });
});
