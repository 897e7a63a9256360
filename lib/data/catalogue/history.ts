// History across increments: one path's versions, name/glob search over every version (one repository or
// all the caller may see), and what changed between two times.
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { getVisibleRepository, visibleRepositories } from "@/lib/data/repositories";
import { normalisePath } from "./paths";
import { asJsonArray, resolveTime } from "./browse";
import { epoch, fromEpoch, ts } from "./sql";

interface VersionRow {
  path: string; name: string; type: string; size: bigint; mtime: number | null; mode: number | null;
  digest: string | null; linkTarget: string | null; archive: string | null; raw: string | null; vf: number; vu: number | null;
}

const versionCols = Prisma.sql`f."path", f."name", f."type"::text AS type, f."size", ${epoch('f."mtime"')} AS mtime, f."mode", f."digest",
  f."linkTarget", f."archive", encode(f."rawPath", 'base64') AS raw, ${epoch('f."validFrom"')} AS vf, ${epoch('f."validUntil"')} AS vu`;

function version(r: VersionRow) {
  return {
    path: r.path, name: r.name, type: r.type, size: Number(r.size), mtime: fromEpoch(r.mtime), mode: r.mode, digest: r.digest,
    linkTarget: r.linkTarget, archive: r.archive, pathBase64: r.raw, validFrom: fromEpoch(r.vf)!, validUntil: fromEpoch(r.vu),
  };
}

export type HistoryEvent =
  | ({ change: "new" | "changed"; time: Date } & ReturnType<typeof version>)
  | { change: "deleted"; time: Date; path: string };

/** Every version of `path`, oldest first, as events: new (first or re-created), changed, deleted. */
export async function fileHistory(caller: Caller, repoId: string, rawPath: string) {
  await getVisibleRepository(caller, repoId);
  const path = normalisePath(rawPath);
  const [{ rows }] = await db().$queryRaw<{ rows: VersionRow[] }[]>(asJsonArray(Prisma.sql`SELECT ${versionCols} FROM "FileVersion" f
    WHERE f."repositoryId" = ${repoId}::uuid AND f."path" = ${path} ORDER BY f."validFrom" ASC`));
  if (!rows.length) throw new AppError("not_found", `No path "${path}" in any increment of this repository`);
  const events: HistoryEvent[] = [];
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    const change = prev && prev.vu === r.vf ? "changed" : "new";
    events.push({ change, time: fromEpoch(r.vf)!, ...version(r) });
    const next = rows[i + 1];
    if (r.vu !== null && (!next || next.vf !== r.vu)) events.push({ change: "deleted", time: fromEpoch(r.vu)!, path });
  });
  return { path, events };
}

/** A name pattern as SQL: a glob (`*`, `?`) matches the whole name, anything else is a substring; "/" matches paths. */
function patternSql(q: string): Prisma.Sql {
  const column = q.includes("/") ? Prisma.raw(`f."path"`) : Prisma.raw(`f."name"`);
  const esc = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  if (/[*?]/.test(q)) return Prisma.sql`${column} ILIKE ${esc.replace(/\*/g, "%").replace(/\?/g, "_")}`;
  return Prisma.sql`${column} ILIKE ${"%" + esc + "%"}`;
}

/** Up to this many repositories are searched one by one (see searchVersions). */
const PER_REPOSITORY_SEARCH = 8;

/** Versions whose name matches `q` (substring or glob), in one repository or every repository the caller sees. */
export async function searchVersions(caller: Caller, opts: { repoId?: string; q: string; limit?: number }) {
  const q = opts.q.trim();
  if (q.length < 1) throw new AppError("invalid", "Search needs at least one character");
  if (q.includes("\0")) throw new AppError("invalid", "Search must not contain a NUL byte");
  const limit = Math.min(Math.max(Math.floor(opts.limit ?? 200), 1), 1000);
  const repos = opts.repoId
    ? [await getVisibleRepository(caller, opts.repoId)].map((r) => ({ id: r.id, name: r.name }))
    : await db().repository.findMany({ where: visibleRepositories(caller), select: { id: true, name: true } });
  if (!repos.length) return { results: [], truncated: false };
  const names = new Map(repos.map((r) => [r.id, r.name]));
  const ids = repos.map((r) => r.id);
  // Per repository (a few), so each can walk the (repositoryId, path, validFrom DESC) index in order and stop
  // at the limit (common names), or take the trigram index and sort the few matches (rare names): the planner
  // picks. With many repositories one query: the trigram index (name only) would otherwise be read once each.
  const matching = ids.length <= PER_REPOSITORY_SEARCH
    ? Prisma.sql`SELECT m.* FROM unnest(${ids}::uuid[]) AS r(id) CROSS JOIN LATERAL (
        SELECT f."repositoryId"::text AS "repositoryId", ${versionCols} FROM "FileVersion" f
        WHERE f."repositoryId" = r.id AND ${patternSql(q)}
        ORDER BY f."path", f."validFrom" DESC LIMIT ${limit + 1}) m`
    : Prisma.sql`SELECT f."repositoryId"::text AS "repositoryId", ${versionCols} FROM "FileVersion" f
        WHERE f."repositoryId" = ANY(${ids}::uuid[]) AND ${patternSql(q)}`;
  const [{ rows }] = await db().$queryRaw<{ rows: (VersionRow & { repositoryId: string })[] }[]>(
    asJsonArray(Prisma.sql`SELECT m.* FROM (${matching}) m ORDER BY m."path", m.vf DESC, m."repositoryId" LIMIT ${limit + 1}`),
  );
  return {
    results: rows.slice(0, limit).map((r) => ({ repositoryId: r.repositoryId, repositoryName: names.get(r.repositoryId) ?? "", ...version(r) })),
    truncated: rows.length > limit,
  };
}

/** Paths new, changed or deleted between two time specs (order-insensitive), up to `limit` (default 5000). */
export async function changesBetween(caller: Caller, repoId: string, from: string, to: string, opts: { limit?: number; path?: string } = {}) {
  let a = await resolveTime(caller, repoId, from);
  let b = await resolveTime(caller, repoId, to);
  if (a.increment.time > b.increment.time) [a, b] = [b, a];
  const A = a.increment.time.getTime() / 1000;
  const B = b.increment.time.getTime() / 1000;
  const limit = Math.min(Math.max(Math.floor(opts.limit ?? 5000), 1), 50000);
  const under = normalisePath(opts.path);
  const scope = under ? Prisma.sql`AND (f."path" = ${under} OR f."path" LIKE ${under.replace(/[\\%_]/g, (c) => `\\${c}`) + "/%"})` : Prisma.empty;
  const at = (T: number) => Prisma.sql`SELECT f.id, f."path", f."type"::text AS type, f."size" FROM "FileVersion" f
    WHERE f."repositoryId" = ${repoId}::uuid AND f."validFrom" <= ${ts(T)} AND (f."validUntil" IS NULL OR f."validUntil" > ${ts(T)}) ${scope}
      AND f."path" IN (SELECT c."path" FROM touched c)`;
  const rows = await db().$queryRaw<{ path: string; change: "new" | "changed" | "deleted"; type: string; size: bigint; oldSize: bigint | null }[]>`
    WITH touched AS (
      SELECT DISTINCT f."path" FROM "FileVersion" f WHERE f."repositoryId" = ${repoId}::uuid ${scope}
        AND ((f."validFrom" > ${ts(A)} AND f."validFrom" <= ${ts(B)}) OR (f."validUntil" > ${ts(A)} AND f."validUntil" <= ${ts(B)}))),
    a AS (${at(A)}), b AS (${at(B)})
    SELECT COALESCE(b."path", a."path") AS path,
           CASE WHEN a.id IS NULL THEN 'new' WHEN b.id IS NULL THEN 'deleted' ELSE 'changed' END AS change,
           COALESCE(b.type, a.type) AS type, COALESCE(b."size", a."size") AS size, a."size" AS "oldSize"
    FROM a FULL JOIN b ON a."path" = b."path"
    WHERE a.id IS DISTINCT FROM b.id
    ORDER BY 1 LIMIT ${limit + 1}`;
  const changes = rows.slice(0, limit).map((r) => ({ path: r.path, change: r.change, type: r.type, size: Number(r.size), oldSize: r.oldSize === null ? null : Number(r.oldSize) }));
  return {
    from: a,
    to: b,
    new: changes.filter((c) => c.change === "new"),
    changed: changes.filter((c) => c.change === "changed"),
    deleted: changes.filter((c) => c.change === "deleted"),
    truncated: rows.length > limit,
  };
}
