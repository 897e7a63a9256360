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

/** Per repository: bytes on disk, increments count and the span of their times. */
export interface RepositoryFacts {
  id: string;
  hostId: string | null;
  sizeBytes: bigint;
  increments: bigint;
  firstAt: Date | null;
  lastAt: Date | null;
}

/**
 * Bytes on disk of each repository: the size the agent recorded, else the sum of its increments' bytes plus,
 * for a mirror, the tree of its latest increment (the mirror itself); with the increments' count and span.
 * Selected by ids or by hosts.
 */
export async function repositoryFacts(by: { ids: string[] } | { hostIds: string[] }): Promise<Map<string, RepositoryFacts>> {
  const where = "ids" in by ? Prisma.sql`r.id = ANY(${by.ids}::uuid[])` : Prisma.sql`r."hostId" = ANY(${by.hostIds}::uuid[])`;
  if (("ids" in by ? by.ids : by.hostIds).length === 0) return new Map();
  const rows = await db().$queryRaw<RepositoryFacts[]>`
    SELECT r.id::text AS id, r."hostId"::text AS "hostId",
      (CASE WHEN r."sizeBytes" > 0 THEN r."sizeBytes" ELSE s.inc_bytes + CASE WHEN r.format = 'mirror' THEN s.tree ELSE 0 END END)::bigint AS "sizeBytes",
      s.n::bigint AS increments, s.first_at AS "firstAt", s.last_at AS "lastAt"
    FROM "Repository" r
    CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(i."sizeBytes"), 0) AS inc_bytes, min(i.time) AS first_at, max(i.time) AS last_at,
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
    },
  });
  const facts = await repositoryFacts({ ids: repos.map((r) => r.id) });
  return repos.map((r) => {
    const f = facts.get(r.id);
    return { ...r, sizeBytes: f?.sizeBytes ?? r.sizeBytes, incrementCount: Number(f?.increments ?? 0), lastIncrementAt: f?.lastAt ?? null };
  });
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
    },
  });
  const facts = await repositoryFacts({ ids: rows.map((r) => r.id) });
  return rows.map(({ sizeBytes, ...r }) => {
    const f = facts.get(r.id);
    return {
      ...r,
      sizeBytes: Number(f?.sizeBytes ?? sizeBytes),
      incrementCount: Number(f?.increments ?? 0),
      firstIncrementAt: f?.firstAt ?? null,
      lastIncrementAt: f?.lastAt ?? null,
    };
  });
}

/** One visible repository for display and the API: no agent address or secret; the latest import's progress. */
export async function getRepositoryDetail(caller: Caller, id: string) {
  const repo = await getVisibleRepository(caller, id);
  const [latest, importRun, facts] = await Promise.all([
    db().increment.findFirst({ where: { repositoryId: id }, orderBy: { time: "desc" }, select: { time: true, treeBytes: true, fileCount: true } }),
    db().run.findFirst({ where: { repositoryId: id, type: "import" }, orderBy: { queuedAt: "desc" }, select: { id: true, status: true, startedAt: true, finishedAt: true, stats: true } }),
    repositoryFacts({ ids: [id] }),
  ]);
  const f = facts.get(id);
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
    sizeBytes: Number(f?.sizeBytes ?? repo.sizeBytes),
    createdAt: repo.createdAt,
    incrementCount: Number(f?.increments ?? 0),
    firstIncrementAt: f?.firstAt ?? null,
    lastIncrementAt: f?.lastAt ?? null,
    treeBytes: latest ? Number(latest.treeBytes) : 0,
    fileCount: latest?.fileCount ?? 0,
  };
}
