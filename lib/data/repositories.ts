// Repositories as each caller may see them: admins all, others those of hosts assigned to them.
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { visibleHosts } from "@/lib/data/hosts";

/** The `where` that limits repositories to the caller's (a repository without a host is admin-only). */
export function visibleRepositories(caller: Caller): Prisma.RepositoryWhereInput {
  return caller.role === "admin" ? {} : { host: visibleHosts(caller) };
}

/**
 * One repository the caller may see, with its agent's address (never the agent's secret unless asked by
 * server code through `withAgentSecret`). Throws 404 when absent or not visible, so existence never leaks.
 */
export async function getVisibleRepository(caller: Caller, id: string, opts: { withAgentSecret?: boolean } = {}) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "No such repository");
  const repo = await db().repository.findFirst({
    where: { AND: [{ id }, visibleRepositories(caller)] },
    select: {
      id: true,
      name: true,
      format: true,
      path: true,
      hostId: true,
      importState: true,
      importError: true,
      sizeBytes: true,
      createdAt: true,
      host: { select: { id: true, name: true } },
      agent: { select: { id: true, name: true, url: true, lastSeenAt: true, ...(opts.withAgentSecret ? { secretEnc: true } : {}) } },
    },
  });
  if (!repo) throw new AppError("not_found", "No such repository");
  return repo;
}

/** Per repository: bytes on disk and increments count. */
export interface RepositoryFacts {
  id: string;
  hostId: string | null;
  sizeBytes: bigint;
  increments: bigint;
}

/**
 * Bytes on disk of each repository: the size the agent recorded, else the sum of its increments' bytes plus,
 * for a mirror, the tree of its latest increment (the mirror itself). Selected by ids or by hosts.
 */
export async function repositoryFacts(by: { ids: string[] } | { hostIds: string[] }): Promise<Map<string, RepositoryFacts>> {
  const where = "ids" in by ? Prisma.sql`r.id = ANY(${by.ids}::uuid[])` : Prisma.sql`r."hostId" = ANY(${by.hostIds}::uuid[])`;
  if (("ids" in by ? by.ids : by.hostIds).length === 0) return new Map();
  const rows = await db().$queryRaw<RepositoryFacts[]>`
    SELECT r.id::text AS id, r."hostId"::text AS "hostId",
      (CASE WHEN r."sizeBytes" > 0 THEN r."sizeBytes" ELSE s.inc_bytes + CASE WHEN r.format = 'mirror' THEN s.tree ELSE 0 END END)::bigint AS "sizeBytes",
      s.n::bigint AS increments
    FROM "Repository" r
    CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(i."sizeBytes"), 0) AS inc_bytes,
      coalesce((SELECT "treeBytes" FROM "Increment" WHERE "repositoryId" = r.id ORDER BY time DESC LIMIT 1), 0) AS tree
      FROM "Increment" i WHERE i."repositoryId" = r.id) s
    WHERE ${where}`;
  return new Map(rows.map((r) => [r.id, r]));
}

/** Repositories the caller may see, with host, increment count, size on disk and the latest increment's time. */
export async function listRepositories(caller: Caller) {
  const repos = await db().repository.findMany({
    where: visibleRepositories(caller),
    orderBy: [{ host: { name: "asc" } }, { name: "asc" }],
    select: {
      id: true,
      name: true,
      format: true,
      importState: true,
      sizeBytes: true,
      host: { select: { id: true, name: true } },
      _count: { select: { increments: true } },
      increments: { orderBy: { time: "desc" }, take: 1, select: { time: true } },
    },
  });
  const facts = await repositoryFacts({ ids: repos.map((r) => r.id) });
  return repos.map(({ increments, _count, ...r }) => ({
    ...r,
    sizeBytes: facts.get(r.id)?.sizeBytes ?? r.sizeBytes,
    incrementCount: _count.increments,
    lastIncrementAt: increments[0]?.time ?? null,
  }));
}

/** Repositories the caller may see with host, agent, path, import state and increment span (JSON-safe, for the API). */
export async function listRepositoriesForApi(caller: Caller) {
  const rows = await db().repository.findMany({
    where: visibleRepositories(caller),
    orderBy: { name: "asc" },
    select: {
      id: true, name: true, format: true, path: true, importState: true, importError: true, sizeBytes: true, createdAt: true,
      host: { select: { id: true, name: true } },
      agent: { select: { id: true, name: true } },
      _count: { select: { increments: true } },
    },
  });
  const spans = await db().increment.groupBy({ by: ["repositoryId"], where: { repositoryId: { in: rows.map((r) => r.id) } }, _min: { time: true }, _max: { time: true } });
  const span = new Map(spans.map((s) => [s.repositoryId, s]));
  const facts = await repositoryFacts({ ids: rows.map((r) => r.id) });
  return rows.map(({ _count, sizeBytes, ...r }) => ({
    ...r,
    sizeBytes: Number(facts.get(r.id)?.sizeBytes ?? sizeBytes),
    incrementCount: _count.increments,
    firstIncrementAt: span.get(r.id)?._min.time ?? null,
    lastIncrementAt: span.get(r.id)?._max.time ?? null,
  }));
}

/** One visible repository for display and the API: no agent address or secret; the latest import's progress. */
export async function getRepositoryDetail(caller: Caller, id: string) {
  const repo = await getVisibleRepository(caller, id);
  const [count, span, latest, importRun, facts] = await Promise.all([
    db().increment.count({ where: { repositoryId: id } }),
    db().increment.aggregate({ where: { repositoryId: id }, _min: { time: true }, _max: { time: true } }),
    db().increment.findFirst({ where: { repositoryId: id }, orderBy: { time: "desc" }, select: { time: true, treeBytes: true, fileCount: true } }),
    db().run.findFirst({ where: { repositoryId: id, type: "import" }, orderBy: { queuedAt: "desc" }, select: { id: true, status: true, startedAt: true, finishedAt: true, stats: true } }),
    repositoryFacts({ ids: [id] }),
  ]);
  return {
    id: repo.id,
    name: repo.name,
    format: repo.format,
    path: repo.path,
    host: repo.host,
    agent: { id: repo.agent.id, name: repo.agent.name, lastSeenAt: repo.agent.lastSeenAt },
    importState: repo.importState,
    importError: repo.importError,
    importProgress: importRun,
    sizeBytes: Number(facts.get(id)?.sizeBytes ?? repo.sizeBytes),
    createdAt: repo.createdAt,
    incrementCount: count,
    firstIncrementAt: span._min.time,
    lastIncrementAt: span._max.time,
    treeBytes: latest ? Number(latest.treeBytes) : 0,
    fileCount: latest?.fileCount ?? 0,
  };
}
