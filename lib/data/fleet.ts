// The fleet dashboard: one row per host the caller may see with its backup health (ok / failing / overdue /
// never run / running), last success, next scheduled run, repository size and increments, last run's duration.
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";
import { visibleHosts } from "@/lib/data/hosts";
import { repositoryFacts } from "@/lib/data/repositories";
import { nextFireTimes } from "@/lib/schedule";

export const FLEET_STATUSES = ["failing", "overdue", "running", "never run", "ok"] as const;
/** A host's (or job's) health; FLEET_STATUSES is also the order of severity a host takes from its jobs. */
export type FleetStatus = (typeof FLEET_STATUSES)[number];

/** Whether a job whose last success was `lastSuccess` (null: never) is overdue at `now`; never-succeeded jobs count from `since`. */
export function isOverdue(lastSuccess: Date | null, since: Date, overdueAfterHours: number, now: Date): boolean {
  return now.getTime() - (lastSuccess ?? since).getTime() > overdueAfterHours * 3600_000;
}

/** What the status of one job is computed from. */
export interface JobHealthInput {
  enabled: boolean;
  active: boolean;
  lastFinalStatus: string | null;
  lastSuccess: Date | null;
  overdueAfterHours: number;
}

/**
 * A job's status: running while a run is queued or running; failing when its last completed run failed;
 * never run before any completed run; overdue when its last success is older than its threshold; else ok.
 * Disabled jobs are ok unless running (they are not expected to run).
 */
export function jobStatus(j: JobHealthInput, now: Date): FleetStatus {
  if (j.active) return "running";
  if (!j.enabled) return "ok";
  if (j.lastFinalStatus === "failed") return "failing";
  if (j.lastFinalStatus === null) return "never run";
  if (!j.lastSuccess || isOverdue(j.lastSuccess, j.lastSuccess, j.overdueAfterHours, now)) return "overdue";
  return "ok";
}

/** A host's status: the most severe of its jobs' (a host without jobs has never run). */
export function hostStatus(jobs: FleetStatus[]): FleetStatus {
  if (jobs.length === 0) return "never run";
  return FLEET_STATUSES.find((s) => jobs.includes(s)) ?? "ok";
}

const DETAIL_WORDS: Record<FleetStatus, string> = { failing: "failing", overdue: "overdue", running: "running", "never run": "never ran", ok: "ok" };

/**
 * Why a host with several jobs has its status, when not all its jobs share it: "1 of 5 jobs failing, 2 never ran"
 * (its jobs' statuses other than ok, most severe first); "no jobs yet" for a host without jobs; null otherwise.
 */
export function hostStatusDetail(jobs: FleetStatus[]): string | null {
  if (jobs.length === 0) return "no jobs yet";
  const status = hostStatus(jobs);
  if (jobs.every((s) => s === status)) return null;
  const parts = FLEET_STATUSES.filter((s) => s !== "ok" && jobs.includes(s)).map((s) => `${jobs.filter((j) => j === s).length} ${DETAIL_WORDS[s]}`);
  return `${parts[0].replace(" ", ` of ${jobs.length} jobs `)}${parts.length > 1 ? `, ${parts.slice(1).join(", ")}` : ""}`;
}

interface LastRun {
  jobId: string;
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}
interface RepoStats {
  hostId: string;
  sizeBytes: bigint;
  increments: bigint;
}

/** Per job: its last finished run, its last success, and whether a run is queued or running. */
export async function runFacts(jobIds: string[]) {
  if (jobIds.length === 0) return { last: new Map<string, LastRun>(), success: new Map<string, Date>(), active: new Set<string>() };
  const [last, success, active] = await Promise.all([
    db().$queryRaw<LastRun[]>`SELECT DISTINCT ON ("jobId") "jobId"::text AS "jobId", status::text AS status, "startedAt", "finishedAt" FROM "Run"
      WHERE "jobId" = ANY(${jobIds}::uuid[]) AND status IN ('success', 'partial', 'failed') ORDER BY "jobId", "finishedAt" DESC NULLS LAST`,
    db().run.groupBy({ by: ["jobId"], where: { jobId: { in: jobIds }, status: "success" }, _max: { finishedAt: true } }),
    db().run.findMany({ where: { jobId: { in: jobIds }, status: { in: ["queued", "running"] } }, select: { jobId: true } }),
  ]);
  return {
    last: new Map(last.map((r) => [r.jobId, r])),
    success: new Map(success.filter((s) => s._max.finishedAt).map((s) => [s.jobId!, s._max.finishedAt!])),
    active: new Set(active.map((a) => a.jobId!)),
  };
}

/** Per host: bytes on disk and increments of its repositories. */
async function repoFacts(hostIds: string[]) {
  const byHost = new Map<string, RepoStats>();
  for (const r of (await repositoryFacts({ hostIds })).values()) {
    const h = byHost.get(r.hostId!) ?? { hostId: r.hostId!, sizeBytes: BigInt(0), increments: BigInt(0) };
    h.sizeBytes += r.sizeBytes;
    h.increments += r.increments;
    byHost.set(h.hostId, h);
  }
  return byHost;
}

/** One dashboard row. */
export interface FleetHost {
  id: string;
  name: string;
  address: string;
  agent: string | null;
  /** The most severe of its jobs' statuses (the status filter's key: a host with a never-run job is "never run"). */
  status: FleetStatus;
  /** How its jobs' statuses add up to `status` when they differ, e.g. "2 of 5 jobs never ran" (hostStatusDetail). */
  statusDetail: string | null;
  jobCount: number;
  lastSuccessAt: Date | null;
  nextRunAt: Date | null;
  sizeBytes: number;
  increments: number;
  lastRun: { status: string; durationMs: number | null; finishedAt: Date | null } | null;
}

/** The schedule's next fire time after `now` (null for a schedule that does not parse). */
export function nextRun(schedule: string, now = new Date()): Date | null {
  try {
    return nextFireTimes(schedule, 1, now)[0] ?? null;
  } catch {
    return null;
  }
}

/** The fleet as the caller may see it, at `now`; `status` keeps only hosts with that status. */
export async function fleetHosts(caller: Caller, opts: { status?: FleetStatus; now?: Date } = {}): Promise<FleetHost[]> {
  const now = opts.now ?? new Date();
  const hosts = await db().host.findMany({
    where: visibleHosts(caller) satisfies Prisma.HostWhereInput,
    orderBy: { name: "asc" },
    select: { id: true, name: true, address: true, agent: { select: { name: true } }, jobs: { select: { id: true, schedule: true, enabled: true, overdueAfterHours: true } } },
  });
  const jobIds = hosts.flatMap((h) => h.jobs.map((j) => j.id));
  const [runs, repos] = await Promise.all([runFacts(jobIds), repoFacts(hosts.map((h) => h.id))]);
  const rows = hosts.map((h): FleetHost => {
    const statuses = h.jobs.map((j) =>
      jobStatus({ enabled: j.enabled, active: runs.active.has(j.id), lastFinalStatus: runs.last.get(j.id)?.status ?? null, lastSuccess: runs.success.get(j.id) ?? null, overdueAfterHours: j.overdueAfterHours }, now),
    );
    const successes = h.jobs.map((j) => runs.success.get(j.id)).filter((d): d is Date => !!d);
    const nexts = h.jobs.filter((j) => j.enabled).map((j) => nextRun(j.schedule, now)).filter((d): d is Date => !!d);
    const lastRun = h.jobs
      .map((j) => runs.last.get(j.id))
      .filter((r): r is LastRun => !!r)
      .sort((a, b) => (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0))[0];
    const repo = repos.get(h.id);
    return {
      id: h.id,
      name: h.name,
      address: h.address,
      agent: h.agent?.name ?? null,
      status: hostStatus(statuses),
      statusDetail: hostStatusDetail(statuses),
      jobCount: h.jobs.length,
      lastSuccessAt: successes.length ? new Date(Math.max(...successes.map((d) => d.getTime()))) : null,
      nextRunAt: nexts.length ? new Date(Math.min(...nexts.map((d) => d.getTime()))) : null,
      sizeBytes: Number(repo?.sizeBytes ?? 0),
      increments: Number(repo?.increments ?? 0),
      lastRun: lastRun
        ? { status: lastRun.status, finishedAt: lastRun.finishedAt, durationMs: lastRun.startedAt && lastRun.finishedAt ? lastRun.finishedAt.getTime() - lastRun.startedAt.getTime() : null }
        : null,
    };
  });
  return opts.status ? rows.filter((r) => r.status === opts.status) : rows;
}
