// Restores back to a host: an operator or admin queues a restore run (a repository path as of an increment,
// written to a directory on a host of the repository's agent), which that agent picks up as a command and
// reports like any run. Rights follow the jobs: admins everywhere, operators on hosts assigned to them.
import path from "node:path";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/data/audit";
import { visibleHosts } from "@/lib/data/hosts";
import { canManageJobs } from "@/lib/data/jobs";
import { getVisibleRepository } from "@/lib/data/repositories";
import type { Ctx } from "@/lib/data/users";
import { exactPathBytes, resolveTime, type ResolvedTime } from "@/lib/data/catalogue/browse";
import { normalisePath } from "@/lib/data/catalogue/paths";
import { restoreParams, type RestoreParams } from "@/lib/schemas/agent-protocol";
import { restoreRequest } from "@/lib/schemas/restore";
import { mirrorSelection } from "@/agent/tasks/mirror-selection";

type FieldErrors = Record<string, string[]>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hostSelect = { id: true, name: true, transport: true } as const;

/** Whether the caller may restore at all (viewers only read). */
export const canRestore = canManageJobs;

function invalid(field: string, message: string): never {
  throw new AppError("invalid", message, { fieldErrors: { [field]: [message] } });
}

/** The repository (404 when not visible) and 403 for callers who may not restore. */
async function restorableRepository(caller: Caller, repositoryId: string) {
  const repo = await getVisibleRepository(caller, repositoryId);
  if (!canRestore(caller)) throw new AppError("forbidden", "You do not have the right to restore from this repository");
  return repo;
}

/** Hosts of the agent the caller may manage (restore targets), by name. */
function targetHosts(caller: Caller, agentId: string) {
  return db().host.findMany({ where: { AND: [{ agentId }, visibleHosts(caller)] }, select: hostSelect, orderBy: { name: "asc" } });
}

/** Where the repository's root was read from: its mirror job's source root (one source, or their common ancestor). */
async function sourceRoot(repositoryId: string): Promise<string | null> {
  const repo = await db().repository.findUnique({ where: { id: repositoryId }, select: { job: { select: { method: true, sources: true, includes: true, excludes: true } } } });
  const job = repo?.job;
  if (!job || job.method !== "mirror" || job.sources.length === 0) return null;
  return mirrorSelection(job.sources, [], []).root;
}

/** An absolute target path made canonical (no trailing "/", no empty or "." segments); null when unsafe. */
export function normaliseTarget(raw: string): { target?: string; error?: string } {
  if (!raw.startsWith("/")) return { error: "Enter an absolute path (starting with /)" };
  if (raw.includes("\0")) return { error: "The path contains a NUL byte" };
  if (raw.split("/").includes("..")) return { error: '".." segments are not allowed' };
  return { target: path.posix.normalize(raw).replace(/(.)\/+$/, "$1") };
}

/** The original path of a repository path when the source root is known ("" = the root itself). */
export function originalPath(root: string | null, repoPath: string): string | null {
  return root === null ? null : path.posix.join(root, repoPath);
}

/** The catalogue entry of `repoPath` at increment time `at` (null when it did not exist then). */
async function entryAt(repositoryId: string, repoPath: string, at: Date) {
  return db().fileVersion.findFirst({
    where: { repositoryId, path: repoPath, validFrom: { lte: at }, OR: [{ validUntil: null }, { validUntil: { gt: at } }] },
    select: { type: true, size: true },
  });
}

/** Whether `a` and `b` are the same path or one lies inside the other. */
function overlaps(a: string, b: string): boolean {
  const within = (x: string, y: string) => x === y || x.startsWith(y === "/" ? "/" : y + "/");
  return within(a, b) || within(b, a);
}

/** What the restore form shows: the repository, target hosts, the default host and target, the resolved time. */
export async function restoreForm(caller: Caller, repositoryId: string, opts: { path?: string; at?: string } = {}) {
  const repo = await restorableRepository(caller, repositoryId);
  const repoPath = normalisePath(opts.path ?? "");
  const [hosts, root, increments] = await Promise.all([
    targetHosts(caller, repo.agent.id),
    sourceRoot(repo.id),
    db().increment.findMany({ where: { repositoryId: repo.id }, orderBy: { time: "desc" }, select: { time: true, kind: true } }),
  ]);
  let resolved: ResolvedTime | null = null;
  let timeError: string | null = null;
  try {
    resolved = increments.length ? await resolveTime(caller, repo.id, opts.at ?? "") : null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    timeError = err.message;
  }
  return {
    repository: { id: repo.id, name: repo.name, format: repo.format, path: repo.path, host: repo.host, agent: { id: repo.agent.id, name: repo.agent.name } },
    hosts,
    defaultHostId: hosts.find((h) => h.id === repo.hostId)?.id ?? hosts[0]?.id ?? null,
    sourceRoot: root,
    path: repoPath,
    defaultTarget: originalPath(root, repoPath),
    increments,
    resolved,
    timeError,
  };
}

/** The checked restore: its parameters for the agent plus what the audit log and the answer show. */
async function planRestore(caller: Caller, repo: Awaited<ReturnType<typeof restorableRepository>>, raw: unknown) {
  const parsed = restoreRequest.safeParse(raw ?? {});
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const i of parsed.error.issues) (fieldErrors[String(i.path[0] ?? "form")] ??= []).push(i.message);
    throw new AppError("invalid", "Check the highlighted fields", { fieldErrors });
  }
  const input = parsed.data;
  const errors: FieldErrors = {};
  const add = (field: string, msg: string) => (errors[field] ??= []).push(msg);

  let repoPath = "";
  try {
    repoPath = normalisePath(input.path ?? "");
  } catch (err) {
    add("path", (err as Error).message);
  }
  let resolved: ResolvedTime | null = null;
  try {
    resolved = await resolveTime(caller, repo.id, input.at ?? "");
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    add("at", err.message);
  }
  // A name that is not valid UTF-8 is shown as `\xHH` text: the agent gets its exact bytes as `pathBase64`.
  let exact: Buffer | null = null;
  if (resolved && !errors.path) {
    const entry = await entryAt(repo.id, repoPath, resolved.increment.time);
    if (repoPath !== "" && !entry) add("path", `"${repoPath}" did not exist in the increment of ${resolved.increment.time.toISOString()}`);
    else exact = await exactPathBytes(repo.id, repoPath);
  }

  const hostKey = input.host || repo.hostId;
  const host = hostKey
    ? await db().host.findFirst({ where: { AND: [UUID.test(hostKey) ? { OR: [{ id: hostKey }, { name: hostKey }] } : { name: hostKey }, visibleHosts(caller)] }, select: { ...hostSelect, agentId: true } })
    : null;
  if (!hostKey) add("host", "Choose the host to restore to");
  else if (!host) add("host", `No host "${hostKey}" you may restore to`);
  else if (host.agentId !== repo.agent.id) add("host", `Host "${host.name}" is not reached through agent "${repo.agent.name}", which holds this repository`);

  const rawTarget = input.target || originalPath(await sourceRoot(repo.id), repoPath) || "";
  let target = "";
  if (!rawTarget) add("target", "Enter the target path: the original path of this repository is not known");
  else {
    const t = normaliseTarget(rawTarget);
    if (t.error) add("target", t.error);
    else target = t.target!;
  }
  if (target && host?.transport === "local" && overlaps(target, repo.path)) add("target", `"${target}" is, holds or lies inside the repository "${repo.path}"`);

  if (Object.keys(errors).length > 0 || !resolved || !host) throw new AppError("invalid", "Check the highlighted fields", { fieldErrors: errors });
  const params: RestoreParams = restoreParams.parse({
    repositoryPath: repo.path,
    format: repo.format,
    path: repoPath,
    ...(exact ? { pathBase64: exact.toString("base64url") } : {}),
    at: Math.round(resolved.increment.time.getTime() / 1000),
    hostId: host.id,
    target,
    overwrite: input.overwrite ?? false,
  });
  return { params, host, increment: resolved.increment };
}

/**
 * Queues a restore run for the repository's agent (admins; operators on their hosts; viewers 403):
 * 1. the repository must be visible (404) and the caller allowed to restore (403);
 * 2. the path, time spec, host and target are checked (400 with field errors), defaults filled in;
 * 3. the run is created queued with its restoreParams, and the request written to the audit log.
 */
export async function createRestore(caller: Caller, repositoryId: string, raw: unknown, ctx: Ctx) {
  const repo = await restorableRepository(caller, repositoryId);
  const plan = await planRestore(caller, repo, raw);
  const run = await db().$transaction(async (tx) => {
    const created = await tx.run.create({
      data: { type: "restore", trigger: "manual", status: "queued", agentId: repo.agent.id, repositoryId: repo.id, params: plan.params as Prisma.InputJsonValue, requestedById: caller.id },
      select: { id: true, status: true, queuedAt: true },
    });
    await recordAudit(tx, {
      actor: { id: caller.id, email: caller.email },
      action: "restore.start",
      targetType: "run",
      targetId: created.id,
      targetLabel: `${repo.name}:/${plan.params.path} → ${plan.host.name}:${plan.params.target}`,
      ip: ctx.ip,
      details: { repositoryId: repo.id, path: plan.params.path, at: plan.increment.time.toISOString(), host: plan.host.name, target: plan.params.target, overwrite: plan.params.overwrite },
    });
    return created;
  });
  return {
    runId: run.id,
    url: `/runs/${run.id}`,
    status: run.status,
    increment: { time: plan.increment.time, kind: plan.increment.kind },
    host: { id: plan.host.id, name: plan.host.name },
    path: plan.params.path,
    target: plan.params.target,
    overwrite: plan.params.overwrite,
  };
}
