// Runs of backup jobs: the agent's idempotent reports (log chunks by offset, final statuses that stay final,
// repository registration, increment links), "run now" and cancel by operators, and the reads pages and the API show.
import { Prisma } from "@/lib/generated/prisma/client";
import type { RunStatus } from "@/lib/generated/prisma/enums";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/data/audit";
import { visibleHosts } from "@/lib/data/hosts";
import { canManageJobs } from "@/lib/data/jobs";
import type { Ctx } from "@/lib/data/users";
import { repositoryFormat } from "@/lib/data/agent-jobs";
import { ONLINE_SECONDS } from "@/lib/data/agents";
import { FINAL_STATUSES, RUN_LOG_MAX_LINES, type RunReport, type RunReportResponse, type RunStats } from "@/lib/schemas/agent-protocol";

type Tx = Prisma.TransactionClient;

/** Bytes of log text the console keeps per run; lines past it (or past RUN_LOG_MAX_LINES) are dropped and counted. */
export const RUN_LOG_MAX_BYTES = 4 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isFinal = (s: string): boolean => (FINAL_STATUSES as readonly string[]).includes(s);

/** Lines held in a stored log (each line ends with "\n"). */
export function heldLines(log: string): number {
  let n = 0;
  for (let i = log.indexOf("\n"); i !== -1; i = log.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * Appends a log chunk when its offset is the number of lines received so far (`logLines`); any other offset changes
 * nothing (a retried chunk, or a gap the agent fills from the returned `logLines`). Lines past the bounds are
 * counted in `consoleDropped` but still advance `logLines`, so the agent's offsets stay in step.
 */
export function appendLogChunk(run: { log: string; logLines: number }, offset: number | undefined, lines: readonly string[] | undefined) {
  if (!lines?.length || offset !== run.logLines) return { log: run.log, logLines: run.logLines, consoleDropped: 0 };
  let log = run.log;
  let held = heldLines(log);
  let bytes = Buffer.byteLength(log);
  let consoleDropped = 0;
  const kept: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/[\r\n]+/g, " ") + "\n";
    const size = Buffer.byteLength(line);
    if (held >= RUN_LOG_MAX_LINES || bytes + size > RUN_LOG_MAX_BYTES) consoleDropped++;
    else {
      kept.push(line);
      held++;
      bytes += size;
    }
  }
  log += kept.join("");
  return { log, logLines: run.logLines + lines.length, consoleDropped };
}

async function lockRun(tx: Tx, id: string) {
  await tx.$queryRaw`SELECT id FROM "Run" WHERE id = ${id}::uuid FOR UPDATE`;
  return tx.run.findUnique({
    where: { id },
    select: { id: true, jobId: true, agentId: true, status: true, startedAt: true, log: true, logLines: true, droppedLogLines: true, repositoryId: true, cancelRequestedAt: true, job: { select: { host: { select: { agentId: true } } } } },
  });
}

/** The catalogue repository of the job at `path` on the agent, registered on the first report that names it. */
async function registerRepository(tx: Tx, agentId: string, job: { id: string; name: string; method: string; host: { id: string; name: string } } | null, path: string, format: "mirror" | "archive" | undefined) {
  const clean = path.replace(/(.)\/+$/, "$1");
  if (!clean.startsWith("/")) throw new AppError("invalid", `Invalid run report: repository "${path}" is not an absolute path`);
  const existing = await tx.repository.findUnique({ where: { agentId_path: { agentId, path: clean } }, select: { id: true, jobId: true } });
  if (!job) return existing?.id ?? null;
  const jobHasRepo = await tx.repository.findUnique({ where: { jobId: job.id }, select: { id: true } });
  if (existing) {
    if (!existing.jobId && !jobHasRepo) await tx.repository.update({ where: { id: existing.id }, data: { jobId: job.id, hostId: job.host.id } });
    return existing.id;
  }
  const repo = await tx.repository.create({
    data: { name: `${job.host.name}/${job.name}`, format: format ?? repositoryFormat(job.method), agentId, path: clean, hostId: job.host.id, jobId: jobHasRepo ? null : job.id },
    select: { id: true },
  });
  return repo.id;
}

/** What a report did: the answer for the agent, and whether the run just became final (notifications are due). */
export interface ReportOutcome {
  response: RunReportResponse;
  becameFinal: boolean;
}

/**
 * Whether `runId` is a run of `agentId` the console knows whose job was deleted meanwhile (the delete set its
 * `jobId` to null): the agent's reports for it are still taken, as a run without a job.
 */
async function orphanedRunOf(agentId: string, runId: string): Promise<boolean> {
  return (await db().run.count({ where: { id: runId, jobId: null, agentId, type: "backup" } })) > 0;
}

/**
 * Creates or updates run `runId` from agent `agentId`'s report (idempotent):
 * 1. the job must be on a host of this agent, and an existing run this agent's (404 otherwise); a report naming
 *    a job deleted while the run was in flight is taken for the run the console already knows (`jobId` null);
 * 2. a run already final changes nothing;
 * 3. the repository is registered on first mention, the log chunk appended by offset, status, times, stats,
 *    progress and the increment (by repository and session time) updated;
 * 4. a success clears the job's overdue notification.
 */
export async function reportRun(agentId: string, runId: string, report: RunReport, now = new Date()): Promise<ReportOutcome> {
  if (!UUID.test(runId)) throw new AppError("not_found", "No such run");
  const job = report.jobId
    ? await db().job.findFirst({ where: { id: report.jobId, host: { agentId } }, select: { id: true, name: true, method: true, host: { select: { id: true, name: true } } } })
    : null;
  if (report.jobId && !job && !(await orphanedRunOf(agentId, runId))) throw new AppError("not_found", "No such job for this agent");
  return db().$transaction(async (tx) => {
    await tx.run.createMany({
      data: [{ id: runId, jobId: job?.id ?? null, agentId, type: report.type, trigger: report.trigger, status: "queued", queuedAt: report.queuedAt ? new Date(report.queuedAt) : now }],
      skipDuplicates: true,
    });
    const run = await lockRun(tx, runId);
    const owner = run?.agentId === agentId || run?.job?.host.agentId === agentId;
    if (!run || !owner || (run.jobId ?? null) !== (job?.id ?? null)) throw new AppError("not_found", "No such run for this agent");
    const cancel = run.cancelRequestedAt !== null;
    if (isFinal(run.status)) return { response: { v: 1, logLines: run.logLines, cancel }, becameFinal: false };

    const repositoryId = report.repository ? await registerRepository(tx, agentId, job, report.repository, report.format) : run.repositoryId;
    const chunk = appendLogChunk(run, report.logOffset, report.log);
    const agentDropped = report.droppedLogLines ?? run.droppedLogLines - (run.logLines - heldLines(run.log));
    const status: RunStatus = report.status === "queued" && run.status === "running" ? "running" : report.status;
    const final = isFinal(status);
    let incrementId: bigint | undefined;
    if (repositoryId && report.incrementTime !== undefined) {
      const inc = await tx.increment.findUnique({ where: { repositoryId_time: { repositoryId, time: new Date(report.incrementTime * 1000) } }, select: { id: true } });
      incrementId = inc?.id;
    }
    const date = (s: string | undefined) => (s ? new Date(s) : undefined);
    await tx.run.update({
      where: { id: runId },
      data: {
        agentId,
        status,
        trigger: report.trigger,
        ...(report.reason !== undefined ? { reason: report.reason } : {}),
        ...(report.queuedAt ? { queuedAt: new Date(report.queuedAt) } : {}),
        startedAt: date(report.startedAt) ?? (status !== "queued" && !run.startedAt ? now : undefined),
        finishedAt: date(report.finishedAt) ?? (final ? now : undefined),
        ...(report.stats ? { stats: report.stats as Prisma.InputJsonValue } : {}),
        ...(report.progress ? { progress: report.progress } : {}),
        repositoryId,
        ...(incrementId !== undefined ? { incrementId } : {}),
        log: chunk.log,
        logLines: chunk.logLines,
        droppedLogLines: Math.max(0, agentDropped) + (chunk.logLines - heldLines(chunk.log)),
      },
    });
    if (status === "success" && job) await tx.job.updateMany({ where: { id: job.id, overdueNotifiedAt: { not: null } }, data: { overdueNotifiedAt: null } });
    return { response: { v: 1, logLines: chunk.logLines, cancel }, becameFinal: final };
  });
}

const runSelect = {
  id: true, jobId: true, type: true, trigger: true, status: true, reason: true, queuedAt: true, startedAt: true, finishedAt: true,
  stats: true, logLines: true, droppedLogLines: true, cancelRequestedAt: true, progress: true, repositoryId: true, params: true,
  job: { select: { id: true, name: true, host: { select: { id: true, name: true } } } },
  increment: { select: { time: true } },
} as const;
type RunRow = Prisma.RunGetPayload<{ select: typeof runSelect }>;

function runView(r: RunRow) {
  const { increment, ...rest } = r;
  return {
    ...rest,
    stats: r.stats as RunStats,
    progress: r.progress as { items: number; bytes: number; currentPath?: string } | null,
    incrementTime: increment?.time ?? null,
    durationMs: r.startedAt ? (r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime() : null,
    final: isFinal(r.status),
  };
}
/** A run as pages and the API show it (without its log). */
export type RunView = ReturnType<typeof runView>;

/** The `where` that limits runs to those of hosts the caller may see (admins also see runs without a job); runs without a job (restores) by their repository's host. */
function visibleRuns(caller: Caller): Prisma.RunWhereInput {
  return caller.role === "admin" ? {} : { OR: [{ job: { host: visibleHosts(caller) } }, { jobId: null, repository: { host: visibleHosts(caller) } }] };
}

async function visibleJob(caller: Caller, jobId: string) {
  const job = UUID.test(jobId) ? await db().job.findFirst({ where: { id: jobId, host: visibleHosts(caller) }, select: { id: true, name: true, hostId: true } }) : null;
  if (!job) throw new AppError("not_found", "No such job");
  return job;
}

/** Runs of one job the caller may see, newest first. */
export async function listJobRuns(caller: Caller, jobId: string, limit = 50): Promise<RunView[]> {
  await visibleJob(caller, jobId);
  const rows = await db().run.findMany({ where: { jobId }, select: runSelect, orderBy: { queuedAt: "desc" }, take: Math.min(Math.max(limit, 1), 500) });
  return rows.map(runView);
}

/** Recent runs the caller may see, optionally of one host or with one status, newest first. */
export async function listRuns(caller: Caller, filter: { hostId?: string; status?: RunStatus; limit?: number } = {}): Promise<RunView[]> {
  const where: Prisma.RunWhereInput = { AND: [visibleRuns(caller), filter.hostId ? { OR: [{ job: { hostId: filter.hostId } }, { jobId: null, repository: { hostId: filter.hostId } }] } : {}, filter.status ? { status: filter.status } : {}] };
  const rows = await db().run.findMany({ where, select: runSelect, orderBy: { queuedAt: "desc" }, take: Math.min(Math.max(filter.limit ?? 100, 1), 500) });
  return rows.map(runView);
}

/** One run the caller may see, with its stored log; 404 otherwise. */
export async function getRun(caller: Caller, id: string) {
  const row = UUID.test(id) ? await db().run.findFirst({ where: { AND: [{ id }, visibleRuns(caller)] }, select: { ...runSelect, log: true } }) : null;
  if (!row) throw new AppError("not_found", "No such run");
  const { log, ...rest } = row;
  return { ...runView(rest), log };
}

/**
 * For a queued run: the agent it waits for, whether that agent is online at `now` and when it was last seen;
 * null for runs past "queued" or without an agent. Callers check the run's visibility first (getRun).
 */
export async function queuedRunAgent(id: string, now = new Date()) {
  const agentSelect = { select: { name: true, lastSeenAt: true } } as const;
  const row = UUID.test(id)
    ? await db().run.findUnique({ where: { id }, select: { status: true, type: true, agent: agentSelect, job: { select: { host: { select: { agent: agentSelect } } } } } })
    : null;
  // A queued backup run of a job goes to the job's host's agent (agentCommands); a restore to the run's agent.
  const agent = row?.status !== "queued" ? null : row.type === "backup" && row.job ? row.job.host.agent : row.agent;
  return agent && { name: agent.name, lastSeenAt: agent.lastSeenAt, online: agentOnline(agent.lastSeenAt, now) };
}

/** The run's state and its held log lines from line `from` on (for the live log); null when the run is gone. */
export async function runLogSince(id: string, from: number) {
  const row = await db().run.findUnique({ where: { id }, select: { status: true, logLines: true, droppedLogLines: true, progress: true, startedAt: true, finishedAt: true, reason: true } });
  if (!row) return null;
  const log = row.logLines > from ? (await db().run.findUnique({ where: { id }, select: { log: true } }))?.log ?? "" : "";
  const lines = log ? log.split("\n").slice(0, -1) : [];
  return { ...row, final: isFinal(row.status), held: lines.length, lines: lines.slice(from) };
}

/** Whether the caller may start and cancel runs of hosts they see. */
export const canRunJobs = canManageJobs;

/** A queued manual run its agent has not started after this many minutes no longer blocks "run now". */
export const UNCLAIMED_RUN_MINUTES = 10;

const utc = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;

/** Whether an agent last seen at `lastSeenAt` counts as online at `now` (a heartbeat within ONLINE_SECONDS). */
export const agentOnline = (lastSeenAt: Date | null, now: Date): boolean => !!lastSeenAt && now.getTime() - lastSeenAt.getTime() < ONLINE_SECONDS * 1000;

/** "offline since 2026-11-22 01:00 UTC", or "never seen" for an agent that never sent a heartbeat. */
export const offlineSince = (lastSeenAt: Date | null): string => (lastSeenAt ? `offline since ${utc(lastSeenAt)}` : "never seen");

/**
 * Why a queued manual run its agent never started gives way to a new "run now" at `now`: its agent is offline, or
 * it has waited longer than UNCLAIMED_RUN_MINUTES; null while it may still start (or it is not such a run).
 */
export function unclaimedReason(
  run: { status: string; type: string; trigger: string; startedAt: Date | null; queuedAt: Date },
  agent: { lastSeenAt: Date | null } | null,
  now: Date,
): string | null {
  if (run.status !== "queued" || run.type !== "backup" || run.trigger !== "manual" || run.startedAt) return null;
  if (!agent) return "the agent did not pick this run up (the host has no agent any more)";
  if (!agentOnline(agent.lastSeenAt, now)) return `the agent did not pick this run up (${offlineSince(agent.lastSeenAt)})`;
  if (now.getTime() - run.queuedAt.getTime() > UNCLAIMED_RUN_MINUTES * 60_000) return `the agent did not pick this run up within ${UNCLAIMED_RUN_MINUTES} minutes`;
  return null;
}

/**
 * Queues a manual run of a job for its host's agent (admins; operators on their hosts). One run per job at a time:
 * while one is running, or queued and still expected to start, this answers 409 naming it. A queued manual run
 * its agent never picked up (agent offline, or queued longer than UNCLAIMED_RUN_MINUTES) is cancelled with the
 * reason, asked to stop should the agent still report it, and the new run queued in its place.
 */
export async function runNow(caller: Caller, jobId: string, ctx: Ctx, now = new Date()) {
  const job = await visibleJob(caller, jobId);
  if (!canRunJobs(caller)) throw new AppError("forbidden", "You do not have the right to run this host's jobs");
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Job" WHERE id = ${job.id}::uuid FOR UPDATE`;
    const full = await tx.job.findUniqueOrThrow({ where: { id: job.id }, select: { name: true, enabled: true, host: { select: { name: true, agentId: true, agent: { select: { lastSeenAt: true } } } } } });
    if (!full.host.agentId) throw new AppError("conflict", `Host "${full.host.name}" has no agent: choose one in the host's settings first`);
    const label = `${full.host.name}/${full.name}`;
    const active = await tx.run.findFirst({
      where: { jobId: job.id, status: { in: ["queued", "running"] } },
      select: { id: true, status: true, type: true, trigger: true, startedAt: true, queuedAt: true },
    });
    // A queued manual run reaches the host's agent (agentCommands), whichever agent it was queued for.
    const unclaimed = active && unclaimedReason(active, full.host.agent, now);
    if (active && !unclaimed) throw new AppError("conflict", `Job "${label}" is already ${active.status} (run ${active.id})`);
    const run = await tx.run.create({
      data: { jobId: job.id, agentId: full.host.agentId, type: "backup", trigger: "manual", status: "queued", requestedById: caller.id },
      select: { id: true, status: true, queuedAt: true },
    });
    const actor = { id: caller.id, email: caller.email };
    if (active && unclaimed) {
      // Conditional on the state read above: a report that started the run meanwhile wins (409 as before).
      const gone = await tx.run.updateMany({
        where: { id: active.id, status: "queued", startedAt: null },
        data: { status: "cancelled", cancelRequestedAt: now, finishedAt: now, reason: `${unclaimed[0].toUpperCase()}${unclaimed.slice(1)}; replaced by run ${run.id}` },
      });
      if (gone.count !== 1) throw new AppError("conflict", `Job "${label}" is already running (run ${active.id})`);
      await recordAudit(tx, { actor, action: "run.cancel", targetType: "run", targetId: active.id, targetLabel: label, ip: ctx.ip, details: { was: "queued", reason: unclaimed, replacedBy: run.id } });
    }
    await recordAudit(tx, { actor, action: "run.start", targetType: "run", targetId: run.id, targetLabel: label, ip: ctx.ip });
    return run;
  });
}

/** The id of the job's queued or running run, if any (for the conflict answer of run now). */
export async function activeRunId(jobId: string): Promise<string | null> {
  return (await db().run.findFirst({ where: { jobId, status: { in: ["queued", "running"] } }, select: { id: true } }))?.id ?? null;
}

/** Asks to stop a run: a queued one is cancelled at once, a running one when its agent sees the request. */
export async function cancelRun(caller: Caller, id: string, ctx: Ctx, now = new Date()) {
  const visible = UUID.test(id) ? await db().run.findFirst({ where: { AND: [{ id }, visibleRuns(caller)] }, select: { id: true } }) : null;
  if (!visible) throw new AppError("not_found", "No such run");
  if (!canRunJobs(caller)) throw new AppError("forbidden", "You do not have the right to cancel this host's runs");
  return db().$transaction(async (tx) => {
    const run = await lockRun(tx, id);
    const label = await tx.run.findUniqueOrThrow({ where: { id }, select: { job: { select: { name: true, host: { select: { name: true } } } } } });
    if (!run || isFinal(run.status)) throw new AppError("conflict", `The run has already finished (${run?.status})`);
    const queued = run.status === "queued";
    const updated = await tx.run.update({
      where: { id },
      data: queued
        ? { status: "cancelled", cancelRequestedAt: now, finishedAt: now, reason: `Cancelled by ${caller.email} before it started` }
        : { cancelRequestedAt: run.cancelRequestedAt ?? now },
      select: { id: true, status: true, cancelRequestedAt: true },
    });
    await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "run.cancel", targetType: "run", targetId: id, targetLabel: label.job ? `${label.job.host.name}/${label.job.name}` : id, ip: ctx.ip, details: { was: run.status } });
    return updated;
  });
}
