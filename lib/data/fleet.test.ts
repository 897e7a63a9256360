// Fleet health on real PostgreSQL with an injected clock: each status (ok, failing, overdue, never run, running),
// last success, next run, repository size and increments, last duration, the detail of a host whose jobs differ,
// the status filter and visibility.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";

let tdb: TestDatabase;
let fleet: typeof import("@/lib/data/fleet");
let admin: Caller, viewer: Caller;
const now = new Date("2026-11-20T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

async function host(name: string, runs: { status: "success" | "failed" | "partial" | "running" | "queued"; finishedHoursAgo?: number; minutes?: number }[], jobOver: { enabled?: boolean; schedule?: string } = {}) {
  const agent = await tdb.prisma.agent.upsert({ where: { name: "a" }, create: { name: "a", tokenHash: randomUUID(), secretEnc: "x" }, update: {} });
  const h = await tdb.prisma.host.create({ data: { name, address: "192.0.2.1", agentId: agent.id } });
  const job = await tdb.prisma.job.create({ data: { hostId: h.id, name: "files", method: "mirror", sources: ["/"], schedule: jobOver.schedule ?? "0 3 * * *", overdueAfterHours: 36, enabled: jobOver.enabled ?? true } });
  for (const r of runs) {
    const finishedAt = r.finishedHoursAgo === undefined ? null : hoursAgo(r.finishedHoursAgo);
    const startedAt = finishedAt ? new Date(finishedAt.getTime() - (r.minutes ?? 1) * 60_000) : null;
    await tdb.prisma.run.create({ data: { jobId: job.id, status: r.status, startedAt, finishedAt, queuedAt: startedAt ?? now } });
  }
  return { hostId: h.id, jobId: job.id, agentId: agent.id };
}

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  fleet = await import("@/lib/data/fleet");
  admin = { id: (await tdb.prisma.user.create({ data: { email: "a@example.org", name: "a", role: "admin", passwordHash: "x" } })).id, email: "a@example.org", name: "a", role: "admin", via: "session" };
  viewer = { id: (await tdb.prisma.user.create({ data: { email: "v@example.org", name: "v", role: "viewer", passwordHash: "x" } })).id, email: "v@example.org", name: "v", role: "viewer", via: "session" };
  const ok = await host("ok", [{ status: "failed", finishedHoursAgo: 30 }, { status: "success", finishedHoursAgo: 10, minutes: 7 }]);
  await host("failing", [{ status: "success", finishedHoursAgo: 30 }, { status: "failed", finishedHoursAgo: 2 }]);
  await host("overdue", [{ status: "success", finishedHoursAgo: 40 }]);
  await host("partial-only", [{ status: "partial", finishedHoursAgo: 5 }]);
  await host("never", []);
  await host("running", [{ status: "failed", finishedHoursAgo: 2 }, { status: "running" }]);
  await host("paused", [{ status: "failed", finishedHoursAgo: 2 }], { enabled: false });
  await tdb.prisma.host.create({ data: { name: "nojobs", address: "192.0.2.2" } });
  // Its latest runs succeeded, but 2 of its 5 jobs never ran (one of those is disabled: not expected to run).
  const mixed = await host("mixed", [{ status: "success", finishedHoursAgo: 1, minutes: 2 }]);
  const mixedJob = (name: string, enabled = true) => tdb.prisma.job.create({ data: { hostId: mixed.hostId, name, method: "mirror", sources: ["/"], schedule: "0 3 * * *", overdueAfterHours: 36, enabled } });
  const ran = await mixedJob("ran");
  await tdb.prisma.run.create({ data: { jobId: ran.id, status: "success", startedAt: hoursAgo(2.1), finishedAt: hoursAgo(2), queuedAt: hoursAgo(2.1) } });
  await mixedJob("new-1");
  await mixedJob("new-2");
  await mixedJob("paused", false);
  const repo = await tdb.prisma.repository.create({ data: { name: "ok/files", format: "mirror", agentId: ok.agentId, path: "/r/ok", hostId: ok.hostId, jobId: ok.jobId } });
  await tdb.prisma.increment.create({ data: { repositoryId: repo.id, time: hoursAgo(50), kind: "mirror", sizeBytes: 100n, treeBytes: 5000n } });
  await tdb.prisma.increment.create({ data: { repositoryId: repo.id, time: hoursAgo(10), kind: "mirror", sizeBytes: 0n, treeBytes: 6000n } });
  await tdb.prisma.hostAssignment.create({ data: { userId: viewer.id, hostId: ok.hostId } });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

describe("fleet", () => {
  it("gives each host its status from its jobs' runs at the injected time", async () => {
    const rows = await fleet.fleetHosts(admin, { now });
    expect(Object.fromEntries(rows.map((r) => [r.name, r.status]))).toEqual({
      failing: "failing",
      never: "never run",
      nojobs: "never run",
      ok: "ok",
      overdue: "overdue",
      mixed: "never run",
      "partial-only": "overdue",
      paused: "ok",
      running: "running",
    });
    // The same host turns overdue once its last success is older than the threshold.
    expect((await fleet.fleetHosts(admin, { now: new Date(now.getTime() + 27 * 3600_000) })).find((r) => r.name === "ok")?.status).toBe("overdue");
  });

  it("shows last success, next run, size, increments and the last run's duration", async () => {
    const ok = (await fleet.fleetHosts(admin, { now })).find((r) => r.name === "ok")!;
    expect(ok.lastSuccessAt).toEqual(hoursAgo(10));
    expect(ok.nextRunAt?.getTime()).toBeGreaterThan(now.getTime());
    expect(ok.nextRunAt!.getTime() - now.getTime()).toBeLessThanOrEqual(24 * 3600_000);
    expect(ok).toMatchObject({ sizeBytes: 6100, increments: 2, jobCount: 1, lastRun: { status: "success", durationMs: 7 * 60_000 } });
    const never = (await fleet.fleetHosts(admin, { now })).find((r) => r.name === "never")!;
    expect(never).toMatchObject({ lastSuccessAt: null, lastRun: null, sizeBytes: 0, increments: 0 });
    // The repositories page and the API show the same size (the agent recorded none: increments + latest tree).
    const { listRepositories, listRepositoriesForApi, getRepositoryDetail } = await import("@/lib/data/repositories");
    const repo = (await listRepositories(admin)).find((r) => r.host?.name === "ok")!;
    expect(repo.sizeBytes).toBe(6100n);
    expect((await listRepositoriesForApi(admin)).find((r) => r.id === repo.id)?.sizeBytes).toBe(6100);
    expect((await getRepositoryDetail(admin, repo.id)).sizeBytes).toBe(6100);
  });

  it("explains a host whose jobs differ: the most severe status, with how many of its jobs have it", async () => {
    const rows = await fleet.fleetHosts(admin, { now });
    const mixed = rows.find((r) => r.name === "mixed")!;
    expect(mixed).toMatchObject({ status: "never run", statusDetail: "2 of 5 jobs never ran", jobCount: 5, lastSuccessAt: hoursAgo(1), lastRun: { status: "success", durationMs: 2 * 60_000 } });
    expect(Object.fromEntries(rows.map((r) => [r.name, r.statusDetail]))).toMatchObject({ ok: null, failing: null, never: null, nojobs: "no jobs yet", paused: null });
    expect(fleet.hostStatusDetail(["ok", "never run", "failing", "never run", "running"])).toBe("1 of 5 jobs failing, 1 running, 2 never ran");
    expect(fleet.hostStatusDetail(["overdue", "ok"])).toBe("1 of 2 jobs overdue");
    expect(fleet.hostStatusDetail(["ok", "ok"])).toBeNull();
  });

  it("filters by status and shows viewers only their hosts", async () => {
    expect((await fleet.fleetHosts(admin, { now, status: "failing" })).map((r) => r.name)).toEqual(["failing"]);
    // A host is "never run" when any of its jobs never ran, whatever its other jobs did.
    expect((await fleet.fleetHosts(admin, { now, status: "never run" })).map((r) => r.name)).toEqual(["mixed", "never", "nojobs"]);
    expect((await fleet.fleetHosts(viewer, { now })).map((r) => r.name)).toEqual(["ok"]);
  });

  it("computes job and host statuses by the documented rules", () => {
    const base = { enabled: true, active: false, lastFinalStatus: "success", lastSuccess: hoursAgo(1), overdueAfterHours: 36 };
    expect(fleet.jobStatus(base, now)).toBe("ok");
    expect(fleet.jobStatus({ ...base, lastSuccess: hoursAgo(37) }, now)).toBe("overdue");
    expect(fleet.jobStatus({ ...base, lastFinalStatus: "failed" }, now)).toBe("failing");
    expect(fleet.jobStatus({ ...base, lastFinalStatus: null, lastSuccess: null }, now)).toBe("never run");
    expect(fleet.jobStatus({ ...base, active: true, lastFinalStatus: "failed" }, now)).toBe("running");
    expect(fleet.hostStatus(["ok", "running", "overdue"])).toBe("overdue");
    expect(fleet.hostStatus(["ok", "never run"])).toBe("never run");
    expect(fleet.isOverdue(null, hoursAgo(37), 36, now)).toBe(true);
  });
});
