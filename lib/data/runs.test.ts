// Runs on real PostgreSQL: agent reports (idempotent, log offsets and bounds, final stays final, repository
// registration, increment links, wrong agent, a job deleted mid-run), run now and cancel with their rights, a queued
// run its agent never picked up giving way to the next run now, and the reads per role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";
import type { RunReport } from "@/lib/schemas/agent-protocol";

let tdb: TestDatabase;
let runs: typeof import("@/lib/data/runs");
let admin: Caller, operator: Caller, otherOperator: Caller, viewer: Caller;
let agentId: string, otherAgentId: string, hostId: string, jobId: string, job2Id: string, noAgentJobId: string;
const ctx = { ip: "192.0.2.8" };

const report = (over: Partial<RunReport> = {}): RunReport => ({ v: 1, jobId, type: "backup", trigger: "schedule", status: "running", ...over });

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  runs = await import("@/lib/data/runs");
  const mk = async (email: string, role: Caller["role"]): Promise<Caller> => {
    const u = await tdb.prisma.user.create({ data: { email, name: email, role, passwordHash: "x" } });
    return { id: u.id, email, name: email, role, via: "session" };
  };
  admin = await mk("admin@example.org", "admin");
  operator = await mk("op@example.org", "operator");
  otherOperator = await mk("op2@example.org", "operator");
  viewer = await mk("viewer@example.org", "viewer");
  // Both agents sent a heartbeat just now (online): a queued run of theirs may still start.
  const agent = (name: string) => tdb.prisma.agent.create({ data: { name, tokenHash: randomUUID(), secretEnc: "x", lastSeenAt: new Date() } });
  agentId = (await agent("backup1")).id;
  otherAgentId = (await agent("backup2")).id;
  hostId = (await tdb.prisma.host.create({ data: { name: "web1", address: "192.0.2.10", agentId } })).id;
  const lonely = (await tdb.prisma.host.create({ data: { name: "lonely", address: "192.0.2.11" } })).id;
  const mkJob = (h: string, name: string) => tdb.prisma.job.create({ data: { hostId: h, name, method: "mirror", sources: ["/etc"], schedule: "0 3 * * *" } });
  jobId = (await mkJob(hostId, "etc")).id;
  job2Id = (await mkJob(hostId, "www")).id;
  noAgentJobId = (await mkJob(lonely, "etc")).id;
  for (const u of [operator, viewer]) await tdb.prisma.hostAssignment.create({ data: { userId: u.id, hostId } });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const row = (id: string) => tdb.prisma.run.findUniqueOrThrow({ where: { id } });

describe("agent run reports", () => {
  it("creates a run, registers the job's repository once, and appends log chunks only at the right offset", async () => {
    const id = randomUUID();
    const first = await runs.reportRun(agentId, id, report({ repository: "/srv/strata/web1/etc/", format: "mirror", startedAt: "2026-11-20T03:00:00Z", logOffset: 0, log: ["one", "two"] }));
    expect(first).toEqual({ response: { v: 1, logLines: 2, cancel: false }, becameFinal: false });
    const repo = await tdb.prisma.repository.findFirstOrThrow({ where: { jobId } });
    expect(repo).toMatchObject({ agentId, path: "/srv/strata/web1/etc", hostId, format: "mirror", name: "web1/etc" });
    // A retried chunk and a chunk past a gap change nothing; the answer tells the agent where to continue.
    expect((await runs.reportRun(agentId, id, report({ repository: "/srv/strata/web1/etc", logOffset: 0, log: ["one", "two"] }))).response.logLines).toBe(2);
    expect((await runs.reportRun(agentId, id, report({ logOffset: 5, log: ["later"] }))).response.logLines).toBe(2);
    await runs.reportRun(agentId, id, report({ logOffset: 2, log: ["three\nwith newline"], progress: { items: 10, bytes: 2048, currentPath: "/etc/hosts" } }));
    const r = await row(id);
    expect(r).toMatchObject({ status: "running", log: "one\ntwo\nthree with newline\n", logLines: 3, repositoryId: repo.id, agentId, trigger: "schedule", progress: { items: 10, bytes: 2048, currentPath: "/etc/hosts" } });
    expect(r.startedAt?.toISOString()).toBe("2026-11-20T03:00:00.000Z");
    expect(await tdb.prisma.repository.count({ where: { agentId } })).toBe(1);
  });

  it("links the increment by session time, records stats, and a final status stays final", async () => {
    const id = randomUUID();
    await runs.reportRun(agentId, id, report({ repository: "/srv/strata/web1/etc" }));
    const repo = await tdb.prisma.repository.findFirstOrThrow({ where: { jobId } });
    const time = 1_795_000_000;
    const inc = await tdb.prisma.increment.create({ data: { repositoryId: repo.id, time: new Date(time * 1000), kind: "mirror" } });
    await tdb.prisma.job.update({ where: { id: jobId }, data: { overdueNotifiedAt: new Date() } });
    const done = await runs.reportRun(agentId, id, report({ status: "success", incrementTime: time, stats: { sourceFiles: 12, changedFiles: 3 }, finishedAt: "2026-11-20T03:05:00Z", logOffset: 0, log: ["done"] }));
    expect(done).toEqual({ response: { v: 1, logLines: 1, cancel: false }, becameFinal: true });
    expect(await row(id)).toMatchObject({ status: "success", incrementId: inc.id, stats: { sourceFiles: 12, changedFiles: 3 } });
    expect((await tdb.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).overdueNotifiedAt).toBeNull();
    const again = await runs.reportRun(agentId, id, report({ status: "failed", reason: "late", logOffset: 1, log: ["more"] }));
    expect(again).toEqual({ response: { v: 1, logLines: 1, cancel: false }, becameFinal: false });
    expect(await row(id)).toMatchObject({ status: "success", reason: null, log: "done\n" });
  });

  it("keeps at most RUN_LOG_MAX_LINES lines, counting the rest as dropped while offsets stay in step", async () => {
    const id = randomUUID();
    const { RUN_LOG_MAX_LINES } = await import("@/lib/schemas/agent-protocol");
    const chunk = Array.from({ length: RUN_LOG_MAX_LINES }, (_, i) => `line ${i}`);
    await runs.reportRun(agentId, id, report({ logOffset: 0, log: chunk, droppedLogLines: 0 }));
    const out = await runs.reportRun(agentId, id, report({ logOffset: RUN_LOG_MAX_LINES, log: ["over 1", "over 2"], droppedLogLines: 5 }));
    expect(out.response.logLines).toBe(RUN_LOG_MAX_LINES + 2);
    const r = await row(id);
    expect(runs.heldLines(r.log)).toBe(RUN_LOG_MAX_LINES);
    expect(r.droppedLogLines).toBe(7);
    expect(r.log).not.toContain("over");
  });

  it("answers 404 to an agent reporting another agent's job or run, and changes nothing", async () => {
    const id = randomUUID();
    await expect(runs.reportRun(otherAgentId, id, report())).rejects.toMatchObject({ code: "not_found" });
    expect(await tdb.prisma.run.findUnique({ where: { id } })).toBeNull();
    await runs.reportRun(agentId, id, report({ logOffset: 0, log: ["mine"] }));
    await tdb.prisma.host.create({ data: { name: "other", address: "192.0.2.12", agentId: otherAgentId, jobs: { create: { name: "x", method: "mirror", sources: ["/"], schedule: "0 1 * * *" } } } });
    const otherJob = await tdb.prisma.job.findFirstOrThrow({ where: { host: { name: "other" } } });
    await expect(runs.reportRun(otherAgentId, id, report({ jobId: otherJob.id, status: "failed" }))).rejects.toMatchObject({ code: "not_found" });
    await expect(runs.reportRun(agentId, id, report({ jobId: job2Id }))).rejects.toMatchObject({ code: "not_found" });
    await expect(runs.reportRun(agentId, "not-a-uuid", report())).rejects.toMatchObject({ code: "not_found" });
    await expect(runs.reportRun(agentId, randomUUID(), report({ repository: "relative/path" }))).rejects.toMatchObject({ code: "invalid" });
    expect(await row(id)).toMatchObject({ status: "running", log: "mine\n", jobId });
  });

  it("takes concurrent copies of the same report once", async () => {
    const id = randomUUID();
    const outs = await Promise.all(Array.from({ length: 4 }, () => runs.reportRun(agentId, id, report({ logOffset: 0, log: ["a", "b"] }))));
    expect(outs.every((o) => o.response.logLines === 2)).toBe(true);
    expect((await row(id)).log).toBe("a\nb\n");
    await runs.reportRun(agentId, id, report({ status: "cancelled" }));
  });
});

describe("run now and cancel", () => {
  it("queues one manual run for the host's agent, refuses a second while it is queued or running, and audits", async () => {
    const run = await runs.runNow(operator, job2Id, ctx);
    expect(await row(run.id)).toMatchObject({ status: "queued", trigger: "manual", type: "backup", agentId, jobId: job2Id, requestedById: operator.id });
    await expect(runs.runNow(admin, job2Id, ctx)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(run.id) });
    expect(await runs.activeRunId(job2Id)).toBe(run.id);
    await runs.reportRun(agentId, run.id, { v: 1, jobId: job2Id, type: "backup", trigger: "manual", status: "running" });
    await expect(runs.runNow(admin, job2Id, ctx)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already running") });
    const audit = await tdb.prisma.auditEvent.findFirstOrThrow({ where: { action: "run.start", targetId: run.id } });
    expect(audit).toMatchObject({ actorEmail: "op@example.org", targetLabel: "web1/www", ip: "192.0.2.8" });
  });

  it("refuses viewers (403), operators of other hosts (404) and hosts without an agent (409)", async () => {
    await expect(runs.runNow(viewer, jobId, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(runs.runNow(otherOperator, jobId, ctx)).rejects.toMatchObject({ code: "not_found" });
    await expect(runs.runNow(admin, noAgentJobId, ctx)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("has no agent") });
    await expect(runs.runNow(admin, randomUUID(), ctx)).rejects.toMatchObject({ code: "not_found" });
  });

  it("cancels a queued run at once and asks the agent to stop a running one", async () => {
    const running = await runs.activeRunId(job2Id);
    const asked = await runs.cancelRun(operator, running!, ctx);
    expect(asked.status).toBe("running");
    expect(asked.cancelRequestedAt).toBeInstanceOf(Date);
    const answer = await runs.reportRun(agentId, running!, { v: 1, jobId: job2Id, type: "backup", trigger: "manual", status: "running", logOffset: 0, log: ["x"] });
    expect(answer.response.cancel).toBe(true);
    await runs.reportRun(agentId, running!, { v: 1, jobId: job2Id, type: "backup", trigger: "manual", status: "cancelled", reason: "Cancelled" });
    await expect(runs.cancelRun(operator, running!, ctx)).rejects.toMatchObject({ code: "conflict" });

    const queued = await runs.runNow(admin, job2Id, ctx);
    await expect(runs.cancelRun(viewer, queued.id, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(runs.cancelRun(otherOperator, queued.id, ctx)).rejects.toMatchObject({ code: "not_found" });
    const cancelled = await runs.cancelRun(admin, queued.id, ctx);
    expect(cancelled.status).toBe("cancelled");
    expect((await row(queued.id)).reason).toBe("Cancelled by admin@example.org before it started");
    // The agent may have picked it up already: its report changes nothing and tells it to stop.
    const late = await runs.reportRun(agentId, queued.id, { v: 1, jobId: job2Id, type: "backup", trigger: "manual", status: "running" });
    expect(late).toEqual({ response: { v: 1, logLines: 0, cancel: true }, becameFinal: false });
    expect(await tdb.prisma.auditEvent.count({ where: { action: "run.cancel" } })).toBe(2);
  });
});

describe("reading runs", () => {
  it("lists a job's runs newest first for assigned viewers, with the log only in the detail", async () => {
    const list = await runs.listJobRuns(viewer, jobId);
    expect(list.length).toBeGreaterThanOrEqual(4);
    expect(list[0].queuedAt.getTime()).toBeGreaterThanOrEqual(list[1].queuedAt.getTime());
    expect(JSON.stringify(list)).not.toContain('"log"');
    const success = list.find((r) => r.status === "success")!;
    expect(success.durationMs).toBe(5 * 60_000 - (success.startedAt!.getTime() - Date.parse("2026-11-20T03:00:00Z")));
    const detail = await runs.getRun(viewer, success.id);
    expect(detail).toMatchObject({ log: "done\n", final: true, job: { name: "etc", host: { name: "web1" } } });
    expect(detail.incrementTime?.getTime()).toBe(1_795_000_000_000);
    expect((await runs.listRuns(viewer, { hostId, status: "success" })).map((r) => r.id)).toContain(success.id);
  });

  it("hides runs of other hosts (404) and returns the live log from a line on", async () => {
    const [any] = await runs.listJobRuns(admin, jobId);
    await expect(runs.getRun(otherOperator, any.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(runs.listJobRuns(otherOperator, jobId)).rejects.toMatchObject({ code: "not_found" });
    expect(await runs.listRuns(otherOperator)).toEqual([]);
    const id = randomUUID();
    await runs.reportRun(agentId, id, report({ logOffset: 0, log: ["a", "b", "c"] }));
    expect(await runs.runLogSince(id, 1)).toMatchObject({ status: "running", final: false, held: 3, lines: ["b", "c"] });
    expect((await runs.runLogSince(id, 3))?.lines).toEqual([]);
    expect(await runs.runLogSince(randomUUID(), 0)).toBeNull();
  });
});

describe("a queued run its agent never picks up", () => {
  const minutes = (n: number, from = new Date()) => new Date(from.getTime() + n * 60_000);
  const setSeen = (lastSeenAt: Date | null) => tdb.prisma.agent.update({ where: { id: agentId }, data: { lastSeenAt } });
  let job3Id: string;
  beforeAll(async () => {
    job3Id = (await tdb.prisma.job.create({ data: { hostId, name: "home", method: "mirror", sources: ["/home"], schedule: "0 4 * * *" } })).id;
  });
  afterAll(() => setSeen(new Date()));

  it("blocks while its agent is online and it is young; an offline agent's queued run is cancelled and replaced", async () => {
    await setSeen(new Date());
    const first = await runs.runNow(operator, job3Id, ctx);
    await setSeen(minutes(9));
    await expect(runs.runNow(operator, job3Id, ctx, minutes(9))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(`(run ${first.id})`) });
    expect(await runs.queuedRunAgent(first.id, minutes(9))).toMatchObject({ name: "backup1", online: true });

    const seen = minutes(-5);
    await setSeen(seen);
    const at = new Date();
    const second = await runs.runNow(operator, job3Id, ctx, at);
    expect(second.id).not.toBe(first.id);
    const old = await row(first.id);
    const since = `${seen.toISOString().replace("T", " ").slice(0, 16)} UTC`;
    expect(old).toMatchObject({ status: "cancelled", reason: `The agent did not pick this run up (offline since ${since}); replaced by run ${second.id}`, cancelRequestedAt: at, finishedAt: at });
    expect(await row(second.id)).toMatchObject({ status: "queued", trigger: "manual", agentId, jobId: job3Id });
    expect(await runs.activeRunId(job3Id)).toBe(second.id);
    const audit = await tdb.prisma.auditEvent.findFirstOrThrow({ where: { action: "run.cancel", targetId: first.id } });
    expect(audit).toMatchObject({ actorEmail: "op@example.org", targetLabel: "web1/home", details: { was: "queued", replacedBy: second.id } });
    // The run page's note: the agent it waits for, offline since its last heartbeat.
    expect(await runs.queuedRunAgent(second.id)).toEqual({ name: "backup1", lastSeenAt: seen, online: false });
    expect(await runs.queuedRunAgent(first.id)).toBeNull();
    // Only the new run reaches the agent when it is back.
    const { agentCommands } = await import("@/lib/data/agent-jobs");
    const cmds = (await agentCommands(agentId)).commands.filter((c) => c.kind === "run" && c.jobId === job3Id);
    expect(cmds).toEqual([{ kind: "run", runId: second.id, jobId: job3Id }]);
  });

  it("takes the agent's late reports for the cancelled run harmlessly: it stays cancelled and the agent is told to stop", async () => {
    const [, old] = await runs.listJobRuns(admin, job3Id);
    expect(old.status).toBe("cancelled");
    const before = await row(old.id);
    const base = { v: 1 as const, jobId: job3Id, type: "backup" as const, trigger: "manual" as const };
    expect(await runs.reportRun(agentId, old.id, { ...base, status: "running", logOffset: 0, log: ["started late"] })).toEqual({ response: { v: 1, logLines: 0, cancel: true }, becameFinal: false });
    expect(await runs.reportRun(agentId, old.id, { ...base, status: "success", finishedAt: new Date().toISOString() })).toEqual({ response: { v: 1, logLines: 0, cancel: true }, becameFinal: false });
    expect(await row(old.id)).toMatchObject({ status: "cancelled", reason: before.reason, log: "", finishedAt: before.finishedAt, startedAt: null });
  });

  it("gives way after UNCLAIMED_RUN_MINUTES even with the agent online, but never a running run or a scheduled one", async () => {
    const queued = await runs.activeRunId(job3Id);
    const later = minutes(runs.UNCLAIMED_RUN_MINUTES + 1);
    await setSeen(later);
    const third = await runs.runNow(admin, job3Id, ctx, later);
    expect((await row(queued!)).reason).toBe(`The agent did not pick this run up within ${runs.UNCLAIMED_RUN_MINUTES} minutes; replaced by run ${third.id}`);

    // Once the agent reports it running, nothing replaces it, however long ago its agent was seen.
    await runs.reportRun(agentId, third.id, { v: 1, jobId: job3Id, type: "backup", trigger: "manual", status: "running" });
    await setSeen(null);
    await expect(runs.runNow(admin, job3Id, ctx, minutes(60))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(`already running (run ${third.id})`) });
    expect(await runs.queuedRunAgent(third.id)).toBeNull();
    await runs.reportRun(agentId, third.id, { v: 1, jobId: job3Id, type: "backup", trigger: "manual", status: "success" });

    // A scheduled run the agent itself queued (waiting for a run slot) is the agent's: it still blocks.
    const scheduled = randomUUID();
    await runs.reportRun(agentId, scheduled, { v: 1, jobId: job3Id, type: "backup", trigger: "schedule", status: "queued" });
    await expect(runs.runNow(admin, job3Id, ctx, minutes(60))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(scheduled) });
    expect(await runs.queuedRunAgent(scheduled)).toEqual({ name: "backup1", lastSeenAt: null, online: false });
    await runs.reportRun(agentId, scheduled, { v: 1, jobId: job3Id, type: "backup", trigger: "schedule", status: "cancelled" });
  });

  it("judges a queued run by the host's current agent, which is the one that picks it up", async () => {
    await setSeen(null);
    const moved = await tdb.prisma.host.create({ data: { name: "moved", address: "192.0.2.13", agentId } });
    const movedJob = await tdb.prisma.job.create({ data: { hostId: moved.id, name: "etc", method: "mirror", sources: ["/etc"], schedule: "0 4 * * *" } });
    const queued = await runs.runNow(admin, movedJob.id, ctx);
    await tdb.prisma.agent.update({ where: { id: otherAgentId }, data: { lastSeenAt: new Date() } });
    await tdb.prisma.host.update({ where: { id: moved.id }, data: { agentId: otherAgentId } });
    await expect(runs.runNow(admin, movedJob.id, ctx)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(queued.id) });
    expect(await runs.queuedRunAgent(queued.id)).toMatchObject({ name: "backup2", online: true });
    await runs.cancelRun(admin, queued.id, ctx);
  });

  it("explains each case in the reason, and leaves runs past queued alone", () => {
    const now = new Date("2026-11-22T02:00:00Z");
    const run = { status: "queued", type: "backup", trigger: "manual", startedAt: null, queuedAt: minutes(-1, now) };
    expect(runs.unclaimedReason(run, { lastSeenAt: minutes(-0.5, now) }, now)).toBeNull();
    expect(runs.unclaimedReason(run, { lastSeenAt: minutes(-2, now) }, now)).toBe("the agent did not pick this run up (offline since 2026-11-22 01:58 UTC)");
    expect(runs.unclaimedReason(run, { lastSeenAt: null }, now)).toBe("the agent did not pick this run up (never seen)");
    expect(runs.unclaimedReason(run, null, now)).toContain("no agent");
    expect(runs.unclaimedReason({ ...run, queuedAt: minutes(-11, now) }, { lastSeenAt: now }, now)).toContain("within 10 minutes");
    expect(runs.unclaimedReason({ ...run, status: "running" }, { lastSeenAt: null }, now)).toBeNull();
    expect(runs.unclaimedReason({ ...run, type: "restore" }, { lastSeenAt: null }, now)).toBeNull();
  });
});

describe("a job deleted while its run is in flight", () => {
  it("keeps taking the agent's reports for the run the console knows, as a run without a job", async () => {
    const job = await tdb.prisma.job.create({ data: { hostId, name: "tmp", method: "mirror", sources: ["/tmp"], schedule: "0 5 * * *" } });
    const id = randomUUID();
    const base = { v: 1 as const, jobId: job.id, type: "backup" as const, trigger: "schedule" as const };
    await runs.reportRun(agentId, id, { ...base, status: "running", repository: "/srv/strata/web1/tmp", logOffset: 0, log: ["one"] });
    const repoId = (await row(id)).repositoryId;
    await tdb.prisma.job.delete({ where: { id: job.id } });
    expect(await row(id)).toMatchObject({ jobId: null, status: "running" });

    const more = await runs.reportRun(agentId, id, { ...base, status: "running", repository: "/srv/strata/web1/tmp", logOffset: 1, log: ["two"] });
    expect(more).toEqual({ response: { v: 1, logLines: 2, cancel: false }, becameFinal: false });
    const done = await runs.reportRun(agentId, id, { ...base, status: "success", stats: { sourceFiles: 4 }, logOffset: 2, log: ["three"], finishedAt: "2026-11-22T02:10:00Z" });
    expect(done).toEqual({ response: { v: 1, logLines: 3, cancel: false }, becameFinal: true });
    expect(await row(id)).toMatchObject({ jobId: null, agentId, status: "success", log: "one\ntwo\nthree\n", stats: { sourceFiles: 4 }, repositoryId: repoId });
    expect(await runs.reportRun(agentId, id, { ...base, status: "failed" })).toEqual({ response: { v: 1, logLines: 3, cancel: false }, becameFinal: false });
    expect(await runs.getRun(admin, id)).toMatchObject({ job: null, status: "success", final: true });

    // Still 404: a run the console never heard of, and another agent's run.
    await expect(runs.reportRun(agentId, randomUUID(), { ...base, status: "running" })).rejects.toMatchObject({ code: "not_found" });
    await expect(runs.reportRun(otherAgentId, id, { ...base, status: "running" })).rejects.toMatchObject({ code: "not_found" });
    // A run of a live job cannot be moved onto the deleted one.
    await expect(runs.reportRun(agentId, (await runs.listJobRuns(admin, jobId))[0].id, { ...base, status: "running" })).rejects.toMatchObject({ code: "not_found" });
  });
});
