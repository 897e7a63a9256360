// Importing an existing repository: an admin registers a path on an agent, then the console streams the
// agent's versions in the background and ingests them session by session (idempotent, so re-runs are safe).
import { basename } from "node:path";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireRole, type Caller } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/data/audit";
import type { Ctx } from "@/lib/data/users";
import { streamVersions } from "@/lib/agent-client";
import type { ImportRepositoryRequest } from "@/lib/schemas/catalogue";
import { ingestChangeSet } from "./ingest";
import { changeSetSessions } from "./stream";

/** Where an import reads versions from: the agent's data plane unless a test passes its own. */
export type VersionSource = (repo: { agent: { url: string | null; secretEnc: string; name: string }; path: string; format: "mirror" | "archive" }) => AsyncIterable<unknown>;

const agentSource: VersionSource = (r) => streamVersions(r.agent, { repoPath: r.path, format: r.format });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Registers an existing repository (admin) and starts its import in the background; answers at once. */
export async function registerImport(caller: Caller, req: ImportRepositoryRequest, ctx: Ctx, opts: { source?: VersionSource } = {}) {
  requireRole(caller, "admin");
  const created = await db().$transaction(async (tx) => {
    const agent = await tx.agent.findFirst({ where: UUID.test(req.agent) ? { OR: [{ id: req.agent }, { name: req.agent }] } : { name: req.agent }, select: { id: true, name: true } });
    if (!agent) throw new AppError("invalid", `Cannot import repository: no agent "${req.agent}"`, { fieldErrors: { agent: ["No such agent"] } });
    const host = req.host ? await tx.host.findUnique({ where: { name: req.host }, select: { id: true, name: true } }) : null;
    if (req.host && !host) throw new AppError("invalid", `Cannot import repository: no host "${req.host}"`, { fieldErrors: { host: ["No such host"] } });
    const path = req.path.replace(/\/+$/, "") || "/";
    const clash = await tx.repository.findUnique({ where: { agentId_path: { agentId: agent.id, path } }, select: { id: true } });
    if (clash) throw new AppError("conflict", `Cannot import repository: "${path}" on agent "${agent.name}" is already registered`, { fieldErrors: { path: ["Already registered"] } });
    const repo = await tx.repository.create({
      data: { name: req.name ?? host?.name ?? basename(path), format: req.format, agentId: agent.id, path, hostId: host?.id ?? null, importState: "pending" },
      select: { id: true, name: true },
    });
    const run = await tx.run.create({
      data: { type: "import", trigger: "api", status: "queued", repositoryId: repo.id, agentId: agent.id, requestedById: caller.id, stats: { sessionsDone: 0, sessionsNew: 0, entries: 0 } },
      select: { id: true },
    });
    await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "repository.import", targetType: "repository", targetId: repo.id, targetLabel: `${agent.name}:${path}`, ip: ctx.ip });
    return { id: repo.id, runId: run.id };
  });
  startImport(created.id, opts);
  return created;
}

const running = new Map<string, Promise<void>>();

/** Runs the import of `repoId` in the background (once per process at a time); errors end up on the row. */
export function startImport(repoId: string, opts: { source?: VersionSource } = {}): Promise<void> {
  let p = running.get(repoId);
  if (!p) {
    p = runImport(repoId, opts)
      .catch((err) => console.error(`Import of repository "${repoId}" failed:`, err))
      .finally(() => running.delete(repoId));
    running.set(repoId, p);
  }
  return p;
}

/** Imports every session the source lists; marks the repository complete or failed (with the reason). */
export async function runImport(repoId: string, opts: { source?: VersionSource } = {}): Promise<void> {
  const repo = await db().repository.findUnique({ where: { id: repoId }, select: { id: true, path: true, format: true, agent: { select: { name: true, url: true, secretEnc: true } } } });
  if (!repo) return;
  const run =
    (await db().run.findFirst({ where: { repositoryId: repoId, type: "import", status: { in: ["queued", "running"] } }, orderBy: { queuedAt: "desc" }, select: { id: true } })) ??
    (await db().run.create({ data: { type: "import", trigger: "resume", status: "queued", repositoryId: repoId }, select: { id: true } }));
  await db().repository.update({ where: { id: repoId }, data: { importState: "running", importError: null } });
  await db().run.update({ where: { id: run.id }, data: { status: "running", startedAt: new Date() } });
  const stats = { sessionsDone: 0, sessionsNew: 0, entries: 0, lastTime: null as string | null };
  try {
    const source = (opts.source ?? agentSource)({ agent: repo.agent, path: repo.path, format: repo.format });
    for await (const s of changeSetSessions(source)) {
      let n = 0;
      const counted = (async function* () {
        for await (const e of s.entries) {
          n++;
          yield e;
        }
      })();
      const r = await ingestChangeSet(db(), { repositoryId: repoId, header: s.header, entries: counted });
      Object.assign(stats, { sessionsDone: stats.sessionsDone + 1, sessionsNew: stats.sessionsNew + (r.created ? 1 : 0), entries: stats.entries + n, lastTime: new Date(s.header.time * 1000).toISOString() });
      await db().run.update({ where: { id: run.id }, data: { stats } });
    }
    await finish(repoId, run.id, stats, null);
  } catch (err) {
    await finish(repoId, run.id, stats, err instanceof Error ? err.message : String(err));
    throw err;
  }
}

async function finish(repoId: string, runId: string, stats: object, error: string | null) {
  const done = new Date();
  await db().$transaction([
    db().repository.update({ where: { id: repoId }, data: { importState: error ? "failed" : "complete", importError: error } }),
    db().run.update({ where: { id: runId }, data: { status: error ? "failed" : "success", finishedAt: done, stats, reason: error, log: error ? `Import failed: ${error}\n` : `Imported ${JSON.stringify(stats)}\n` } }),
  ]);
}

let resumed: Promise<void> | null = null;

/**
 * Re-runs, once per process, imports a previous process left pending or running (a restart mid-import):
 * ingest is idempotent, so sessions already catalogued are skipped. Call from catalogue entry points.
 */
export function resumeImportsOnce(): Promise<void> {
  resumed ??= (async () => {
    const open = await db().repository.findMany({ where: { importState: { in: ["pending", "running"] } }, select: { id: true } });
    for (const r of open) if (!running.has(r.id)) void startImport(r.id);
  })().catch((err) => {
    resumed = null;
    console.error("Cannot resume repository imports:", err);
  });
  return resumed;
}
