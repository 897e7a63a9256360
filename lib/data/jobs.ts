// Backup jobs per host: validated create / update / delete with audit and revision bumps, reads that never
// carry secrets, and the retention dry run over the job's repository. Admins manage every host's jobs,
// operators those of hosts assigned to them, viewers only read.
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/data/audit";
import { visibleHosts } from "@/lib/data/hosts";
import type { Ctx } from "@/lib/data/users";
import { encryptSecret } from "@/lib/crypto/secrets";
import { applyRetention, retentionPolicy, type RetentionPolicy } from "@/lib/retention";
import { toCron } from "@/lib/schedule";
import { jobInput, type JobInput, type NotifySettings } from "@/lib/schemas/job";
import { compileGlob } from "@/agent/engines/mirror/selection/glob";

type Tx = Prisma.TransactionClient;

/** Columns a caller may read; `secretsEnc` is only turned into `hasPassword`. */
const jobSelect = {
  id: true, hostId: true, name: true, method: true, enabled: true, sources: true, includes: true, excludes: true, schedule: true,
  retention: true, options: true, preCommand: true, postCommand: true, runMissed: true, overdueAfterHours: true, notify: true,
  revision: true, createdAt: true, updatedAt: true, secretsEnc: true, host: { select: { id: true, name: true } },
} as const;

type JobRow = Prisma.JobGetPayload<{ select: typeof jobSelect }>;

function publicJob({ secretsEnc, ...row }: JobRow) {
  return {
    ...row,
    retention: row.retention as RetentionPolicy,
    options: row.options as Record<string, unknown>,
    notify: row.notify as NotifySettings,
    hasPassword: secretsEnc !== null,
  };
}
/** A job as pages and the API show it: no secret, only whether a password is stored. */
export type JobView = ReturnType<typeof publicJob>;

/** Whether the caller may create, change and delete jobs of a host they can see. */
export function canManageJobs(caller: Caller): boolean {
  return caller.role === "admin" || caller.role === "operator";
}

const UUID = /^[0-9a-f-]{36}$/i;

/** The host if the caller sees it (404 otherwise) and, with `manage`, may change its jobs (403 otherwise). */
async function hostFor(tx: Tx, caller: Caller, hostId: string, manage: boolean) {
  const host = UUID.test(hostId) ? await tx.host.findFirst({ where: { AND: [{ id: hostId }, visibleHosts(caller)] }, select: { id: true, name: true } }) : null;
  if (!host) throw new AppError("not_found", "No such host");
  if (manage && !canManageJobs(caller)) throw new AppError("forbidden", "You do not have the right to change this host's jobs");
  return host;
}

async function jobFor(tx: Tx, caller: Caller, id: string, manage: boolean) {
  const job = UUID.test(id) ? await tx.job.findFirst({ where: { AND: [{ id }, { host: visibleHosts(caller) }] }, select: jobSelect }) : null;
  if (!job) throw new AppError("not_found", "No such job");
  if (manage && !canManageJobs(caller)) throw new AppError("forbidden", "You do not have the right to change this host's jobs");
  return job;
}

/** Jobs of one host the caller may see. */
export async function listJobs(caller: Caller, hostId: string): Promise<JobView[]> {
  return db().$transaction(async (tx) => {
    await hostFor(tx, caller, hostId, false);
    const rows = await tx.job.findMany({ where: { hostId }, select: jobSelect, orderBy: { name: "asc" } });
    return rows.map(publicJob);
  });
}

/** One job the caller may see; 404 otherwise. */
export async function getJob(caller: Caller, id: string): Promise<JobView> {
  return publicJob(await db().$transaction((tx) => jobFor(tx, caller, id, false)));
}

/** The host a new job would belong to, checking the caller may add jobs to it (for the New job page). */
export async function hostForNewJob(caller: Caller, hostId: string) {
  return db().$transaction((tx) => hostFor(tx, caller, hostId, true));
}

/** Field key of a zod issue path: array indexes dropped (`sources.2` → `sources`), shown as "line N" instead. */
function issueField(path: PropertyKey[]): { key: string; line?: number } {
  const idx = path.findIndex((p) => typeof p === "number");
  const key = (idx === -1 ? path : path.slice(0, idx)).map(String).join(".");
  return { key: key || "method", line: idx === -1 ? undefined : Number(path[idx]) + 1 };
}

/** Validates a job with the shared schema and the mirror selection parser; throws 400 with field errors. */
export function validateJob(raw: unknown): JobInput {
  const parsed = jobInput.safeParse(raw);
  const errors: Record<string, string[]> = {};
  const add = (key: string, msg: string) => (errors[key] ??= []).includes(msg) || errors[key].push(msg);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { key, line } = issueField(issue.path);
      add(key, line ? `Line ${line}: ${issue.message}` : issue.message);
    }
  } else if (parsed.data.method === "mirror") {
    for (const [field, list] of [["includes", parsed.data.includes], ["excludes", parsed.data.excludes]] as const) {
      list.forEach((glob, i) => {
        const problem = globProblem(glob, field === "includes", parsed.data.sources);
        if (problem) add(field, `Line ${i + 1}: ${problem}`);
      });
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) throw new AppError("invalid", "Check the highlighted fields", { fieldErrors: errors });
  return parsed.data;
}

/** Why a selection glob can be used under none of the sources, or null when it fits at least one. */
function globProblem(glob: string, include: boolean, sources: readonly string[]): string | null {
  let last: string | null = null;
  for (const src of sources) {
    try {
      compileGlob(Buffer.from(glob), include, Buffer.from(src));
      return null;
    } catch (err) {
      last = (err as Error).message;
    }
  }
  return last;
}

/** The columns a validated input writes (secrets handled by the caller). */
function jobData(input: JobInput) {
  const fileMethod = input.method !== "mysql" && input.method !== "pgsql" && input.method !== "pipe";
  return {
    name: input.name,
    method: input.method,
    enabled: input.enabled,
    sources: fileMethod ? input.sources : [],
    includes: input.includes,
    excludes: input.excludes,
    schedule: toCron(input.schedule),
    retention: input.retention as Prisma.InputJsonValue,
    options: input.options as Prisma.InputJsonValue,
    preCommand: input.preCommand || null,
    postCommand: input.postCommand || null,
    runMissed: input.runMissed,
    overdueAfterHours: input.overdueAfterHours,
    notify: input.notify as Prisma.InputJsonValue,
  };
}

/** What the audit log keeps of a job: the settings, never the password. */
function auditDetails(data: ReturnType<typeof jobData>, revision: number, password: "set" | "cleared" | "kept") {
  return { method: data.method, schedule: data.schedule, sources: data.sources, enabled: data.enabled, retention: data.retention, revision, password };
}

function duplicateName(err: unknown, name: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
    throw new AppError("conflict", `A job named "${name}" already exists on this host`, { fieldErrors: { name: ["This name is already used on this host"] } });
  throw err;
}

const label = (host: { name: string }, job: string) => `${host.name}/${job}`;

/** Creates a job on a host (admins; operators on their hosts): rights first, then validation; the password is stored encrypted. */
export async function createJob(caller: Caller, hostId: string, raw: unknown, ctx: Ctx) {
  let name = "";
  try {
    return await db().$transaction(async (tx) => {
      const host = await hostFor(tx, caller, hostId, true);
      const input = validateJob(raw);
      const data = jobData(input);
      name = input.name;
      const secretsEnc = input.password ? encryptSecret(JSON.stringify({ password: input.password })) : null;
      const job = await tx.job.create({ data: { ...data, hostId, secretsEnc, revision: 1 }, select: { id: true, name: true, revision: true } });
      await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "job.create", targetType: "job", targetId: job.id, targetLabel: label(host, job.name), ip: ctx.ip, details: auditDetails(data, 1, secretsEnc ? "set" : "kept") });
      return job;
    });
  } catch (err) {
    duplicateName(err, name);
  }
}

/** Replaces a job's settings and bumps its revision; an empty password keeps the stored one. */
export async function updateJob(caller: Caller, id: string, raw: unknown, ctx: Ctx) {
  let name = "";
  try {
    return await db().$transaction(async (tx) => {
      const before = await jobFor(tx, caller, id, true);
      const input = validateJob(raw);
      const data = jobData(input);
      name = input.name;
      const password = input.password ? "set" : input.clearPassword ? "cleared" : "kept";
      const secrets = password === "set" ? { secretsEnc: encryptSecret(JSON.stringify({ password: input.password })) } : password === "cleared" ? { secretsEnc: null } : {};
      const job = await tx.job.update({ where: { id }, data: { ...data, ...secrets, revision: { increment: 1 } }, select: { id: true, name: true, revision: true } });
      await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "job.update", targetType: "job", targetId: id, targetLabel: label(before.host, job.name), ip: ctx.ip, details: auditDetails(data, job.revision, password) });
      return job;
    });
  } catch (err) {
    duplicateName(err, name);
  }
}

/** Deletes a job; its repository stays on disk and in the catalogue. */
export async function deleteJob(caller: Caller, id: string, ctx: Ctx) {
  await db().$transaction(async (tx) => {
    const job = await jobFor(tx, caller, id, true);
    await tx.job.delete({ where: { id } });
    await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "job.delete", targetType: "job", targetId: id, targetLabel: label(job.host, job.name), ip: ctx.ip, details: { revision: job.revision } });
  });
  return { id };
}

/** One increment in the retention dry run. */
export interface DryRunRow {
  time: Date;
  keep: boolean;
  reasons: string[];
}

/**
 * Which increments of the job's repository `policy` would remove now (nothing is deleted). `warning` flags a
 * policy that would leave only the newest increment.
 */
export async function retentionDryRun(caller: Caller, jobId: string, rawPolicy: unknown, now = new Date()) {
  const parsed = retentionPolicy.safeParse(rawPolicy);
  if (!parsed.success) throw new AppError("invalid", "Check the retention fields");
  const job = await db().$transaction((tx) => jobFor(tx, caller, jobId, false));
  const incs = await db().increment.findMany({ where: { repository: { jobId: job.id } }, select: { time: true }, orderBy: { time: "desc" } });
  const secs = incs.map((i) => Math.floor(i.time.getTime() / 1000));
  let result;
  try {
    result = applyRetention(secs, parsed.data, Math.floor(now.getTime() / 1000));
  } catch (err) {
    throw new AppError("invalid", (err as Error).message, { fieldErrors: { "retention.olderThan": [(err as Error).message] } });
  }
  const rows: DryRunRow[] = [...secs].sort((a, b) => b - a).map((t) => ({ time: new Date(t * 1000), keep: result.reasons.has(t), reasons: result.reasons.get(t) ?? [] }));
  const warning = result.keep.length === 1 && result.remove.length > 0 ? "This policy removes every increment but the newest" : null;
  return { rows, removeCount: result.remove.length, keepCount: result.keep.length, warning };
}
