// Browsing the catalogue as a caller may: time specs resolved against a repository's increments, the
// increment list, and one directory as it was at an increment (keyset-paged, one indexed query).
import { Prisma } from "@/lib/generated/prisma/client";
import type { IncrementKind } from "@/lib/generated/prisma/enums";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { getVisibleRepository } from "@/lib/data/repositories";
import { parseTimeSpec, TimeSpecError } from "@/lib/timespec";
import { normalisePath } from "./paths";
import { entryJsonOf, fromEpoch, ts } from "./sql";

export interface ResolvedTime {
  increment: { id: string; time: Date; kind: IncrementKind };
  /** The spec as given ("" means the latest increment). */
  spec: string;
  /** The instant the spec denotes before snapping to an increment. */
  resolvedFrom: Date;
}

/** JSON dates (`toISOString()`, with milliseconds), which rdiff-backup's time specs do not cover. */
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,3}Z$/;

/** Increment times (epoch seconds, oldest first) of a repository, without any rights check. */
async function incrementTimes(repoId: string) {
  return db().increment.findMany({ where: { repositoryId: repoId }, orderBy: { time: "asc" }, select: { id: true, time: true, kind: true } });
}

/**
 * The increment a time spec (`now`, `3D`, `1B`, a date, a date-time, epoch seconds; empty = latest) selects:
 * the latest increment at or before that time. 404 when the repository has none or the time precedes them all.
 */
export async function resolveTime(caller: Caller, repoId: string, spec: string, now = Math.floor(Date.now() / 1000)): Promise<ResolvedTime> {
  const [, incs] = await Promise.all([getVisibleRepository(caller, repoId), incrementTimes(repoId)]);
  if (!incs.length) throw new AppError("not_found", "This repository has no increments yet");
  const times = incs.map((i) => i.time.getTime() / 1000);
  const trimmed = spec.trim();
  let at: number;
  try {
    at = trimmed === "" ? times[times.length - 1] : ISO_MS.test(trimmed) ? Date.parse(trimmed) / 1000 : parseTimeSpec(trimmed, { now, sessionTimes: times });
  } catch (err) {
    if (err instanceof TimeSpecError) throw new AppError("invalid", err.message, { cause: err });
    throw err;
  }
  let pick = -1;
  for (let i = 0; i < times.length && times[i] <= at; i++) pick = i;
  if (pick < 0) {
    throw new AppError("not_found", `No increment at or before ${new Date(at * 1000).toISOString()}: the oldest is ${incs[0].time.toISOString()}`);
  }
  const inc = incs[pick];
  return { increment: { id: inc.id.toString(), time: inc.time, kind: inc.kind }, spec: trimmed, resolvedFrom: new Date(at * 1000) };
}

/** Every increment of a repository, oldest first, with sizes and change counts (numbers, JSON-safe). */
export async function listIncrements(caller: Caller, repoId: string) {
  await getVisibleRepository(caller, repoId);
  const rows = await db().increment.findMany({ where: { repositoryId: repoId }, orderBy: { time: "asc" } });
  return rows.map((r) => ({
    id: r.id.toString(),
    time: r.time,
    kind: r.kind,
    sizeBytes: Number(r.sizeBytes),
    treeBytes: Number(r.treeBytes),
    fileCount: r.fileCount,
    newCount: r.newCount,
    changedCount: r.changedCount,
    deletedCount: r.deletedCount,
    archives: r.archives,
  }));
}

/** Per-increment series for the statistics chart (like `rdiff-backup list increment-sizes`). */
export async function incrementStats(caller: Caller, repoId: string) {
  const incs = await listIncrements(caller, repoId);
  let cumulative = 0;
  return incs.map((i) => {
    cumulative += i.sizeBytes;
    return {
      time: i.time,
      treeBytes: i.treeBytes,
      sizeBytes: i.sizeBytes,
      cumulativeSizeBytes: cumulative,
      fileCount: i.fileCount,
      newCount: i.newCount,
      changedCount: i.changedCount,
      deletedCount: i.deletedCount,
    };
  });
}

export type SortKey = "name" | "size" | "mtime";

export interface ListDirectoryOptions {
  /** Directory path ("" = root). */
  path?: string;
  /** Time spec (see resolveTime); default the latest increment. */
  at?: string;
  /** Also list entries deleted before `at` (with `deletedAt`). */
  showDeleted?: boolean;
  sort?: SortKey;
  order?: "asc" | "desc";
  /** Case-insensitive substring of the name. */
  filter?: string;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** Page size, 1..MAX_PAGE (default 500). */
  limit?: number;
}

export interface DirectoryEntry {
  name: string;
  path: string;
  type: string;
  size: number;
  mtime: Date | null;
  mode: number | null;
  uid: number | null;
  gid: number | null;
  digest: string | null;
  linkTarget: string | null;
  /** The path's exact bytes (base64) when they are not valid UTF-8 (`path` then shows invalid bytes as `\xHH`). */
  pathBase64: string | null;
  /** This version appeared in the increment being viewed. */
  changedInThisIncrement: boolean;
  /** How: "new" (the path had no version just before) or "changed"; null when it did not appear then. */
  changeInThisIncrement: "new" | "changed" | null;
  /** With showDeleted: when the entry was deleted (null for live entries). */
  deletedAt: Date | null;
}

/**
 * One listed version as the query sends it (one JSON text for the whole page: cheaper to build, send and decode than
 * rows or objects): its entryJson (name, type, size, mtime in epoch s, mode, uid, gid, digest, link target, exact path
 * bytes in base64), 1 when the version appeared at T else 0, and for deleted entries the deletion time (epoch s).
 */
type Row = [[string, string, number, number | null, number | null, number | null, number | null, string | null, string | null, string | null], 0 | 1, number | null];

/** Entries of one directory as it was at `at`, directories first, keyset-paged. */
export async function listDirectory(caller: Caller, repoId: string, opts: ListDirectoryOptions = {}) {
  const path = normalisePath(opts.path);
  const resolved = await resolveTime(caller, repoId, opts.at ?? "");
  const T = resolved.increment.time.getTime() / 1000;
  const limit = Math.min(Math.max(Math.floor(opts.limit ?? 500), 1), MAX_PAGE);
  const sort: SortKey = opts.sort ?? "name";
  const desc = opts.order === "desc";
  const cursor = decodeCursor(opts.cursor, sort);
  const [[{ rows }], exists] = await Promise.all([
    serial(directorySql(repoId, path, T, { ...opts, sort, desc, cursor, limit })),
    path === "" ? true : isDirectoryAt(repoId, path, T),
  ]);
  const all = JSON.parse(rows) as Row[];
  const more = all.length > limit;
  const page = more ? all.slice(0, limit) : all;
  const prefix = path === "" ? "" : `${path}/`;
  const last = page[page.length - 1];
  const appeared = page.filter(([, changed, deleted]) => changed === 1 && deleted === null).map(([e]) => prefix + e[0]);
  const replaced = await pathsReplacedAt(repoId, appeared, T);
  return {
    path,
    at: resolved,
    /** False when `path` was no directory at that time (entries then only hold deleted ones, if asked). */
    exists,
    entries: page.map(
      ([e, changed, deleted]): DirectoryEntry => ({
        name: e[0],
        path: prefix + e[0],
        type: e[1],
        size: e[2],
        mtime: fromEpoch(e[3]),
        mode: e[4],
        uid: e[5],
        gid: e[6],
        digest: e[7],
        linkTarget: e[8],
        pathBase64: e[9],
        changedInThisIncrement: changed === 1,
        changeInThisIncrement: changed === 1 && deleted === null ? (replaced.has(prefix + e[0]) ? "changed" : "new") : null,
        deletedAt: fromEpoch(deleted),
      }),
    ),
    nextCursor: more && last ? encodeCursor(cursorOf(sort, desc, last)) : null,
  };
}

/** Of `paths` (versions that appeared at T), those whose previous version ended at T: changed, not new. */
async function pathsReplacedAt(repoId: string, paths: string[], T: number): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const rows = await db().$queryRaw<{ path: string }[]>`
    SELECT path FROM "FileVersion"
    WHERE "repositoryId" = ${repoId}::uuid AND path = ANY(${paths}::text[]) AND "validUntil" = ${ts(T)}`;
  return new Set(rows.map((r) => r.path));
}

/**
 * Runs the listing without parallel workers. The planner likes to spread the two index scans over workers, but one
 * branch holds nearly all of a folder's rows, so a worker does the scan alone while the leader waits, and starting
 * workers and passing ~1 MB of rows back through their queue cost more than they save (10,000 entries, one process,
 * alternating: p50 25 ms with workers, 19 ms without).
 */
async function serial(query: Prisma.Sql): Promise<{ rows: string }[]> {
  const [, rows] = await db().$transaction([db().$executeRaw`SET LOCAL max_parallel_workers_per_gather = 0`, db().$queryRaw<{ rows: string }[]>(query)]);
  return rows;
}

/** Largest page listDirectory returns (a 10,000-entry folder in one call). */
export const MAX_PAGE = 10_000;

/**
 * A keyset position. Sorting by name: one text key, the name behind "0" (directories) or "1" (the rest; reversed
 * when descending) compared bytewise, so the sort mostly compares the keys' first bytes held inline. By size or
 * mtime: [0 for directories else 1, the value as text, the name].
 */
type Cursor = [string] | [number, string, string];

function cursorOf(sort: SortKey, desc: boolean, [e]: Row): Cursor {
  const dir = e[1] === "dir";
  if (sort === "name") return [(dir !== desc ? "0" : "1") + e[0]];
  return [dir ? 0 : 1, sort === "size" ? String(e[2]) : e[3] === null ? "-Infinity" : String(e[3]), e[0]];
}

/** SQL for the sort: the key columns of each listed version, `x`'s order and the condition past a cursor. */
function ordering(sort: SortKey, desc: boolean, cursor: Cursor | null) {
  const dir = Prisma.raw(desc ? "DESC" : "ASC");
  const cmp = Prisma.raw(desc ? "<" : ">");
  if (sort === "name") {
    const [first, rest] = desc ? ["'1'", "'0'"] : ["'0'", "'1'"];
    return {
      keys: Prisma.sql`((CASE WHEN f."type" = 'dir' THEN ${Prisma.raw(first)} ELSE ${Prisma.raw(rest)} END) || f."name") COLLATE "C" AS k`,
      orderBy: Prisma.sql`x.k ${dir}`,
      after: cursor ? Prisma.sql`WHERE x.k ${cmp} ${cursor[0]}::text` : Prisma.empty,
    };
  }
  const [value, type] = sort === "size" ? [Prisma.sql`f."size"`, "bigint"] : [Prisma.sql`COALESCE(date_part('epoch', f."mtime"), '-Infinity')`, "float8"];
  return {
    keys: Prisma.sql`(CASE WHEN f."type" = 'dir' THEN 0 ELSE 1 END) AS k0, ${value} AS k1, f."name" COLLATE "C" AS name`,
    orderBy: Prisma.sql`x.k0 ASC, x.k1 ${dir}, x.name ${dir}`,
    after: cursor?.length === 3
      ? Prisma.sql`WHERE (x.k0 > ${cursor[0]} OR (x.k0 = ${cursor[0]} AND (x.k1, x.name) ${cmp} (${cursor[1]}::${Prisma.raw(type)}, ${cursor[2]}::text)))`
      : Prisma.empty,
  };
}

/**
 * The one query behind listDirectory (exported so tests can EXPLAIN it): the versions of `path`'s children alive at
 * T, sorted (directories first, then by the key and name in byte order) and limited, as one JSON text (column `rows`).
 */
export function directorySql(
  repoId: string,
  path: string,
  T: number,
  opts: { sort: SortKey; desc: boolean; cursor: Cursor | null; limit: number; filter?: string; showDeleted?: boolean },
): Prisma.Sql {
  const { keys, orderBy, after } = ordering(opts.sort, opts.desc, opts.cursor);
  const row = (changed: Prisma.Sql, deleted: Prisma.Sql) =>
    Prisma.sql`${keys}, '[' || COALESCE(f."entryJson", ${entryJsonOf("f")}) || ',' || ${changed} || ',' || ${deleted} || ']' AS j`;
  const live = row(Prisma.sql`(f."validFrom" = ${ts(T)})::int::text`, Prisma.sql`'null'`);
  const nameFilter = opts.filter ? Prisma.sql`AND f."name" ILIKE ${"%" + escapeLike(opts.filter) + "%"}` : Prisma.empty;
  // Two branches so both range ends are index conditions (an OR would be a filter after each heap fetch).
  const where = Prisma.sql`f."repositoryId" = ${repoId}::uuid AND f."parent" = ${path} AND f."validFrom" <= ${ts(T)}`;
  const alive = Prisma.sql`SELECT ${live} FROM "FileVersion" f WHERE ${where} AND f."validUntil" IS NULL ${nameFilter}
    UNION ALL SELECT ${live} FROM "FileVersion" f WHERE ${where} AND f."validUntil" > ${ts(T)} ${nameFilter}`;
  const gone = Prisma.sql`SELECT DISTINCT ON (f."path") ${row(Prisma.sql`'0'`, Prisma.sql`date_part('epoch', f."validUntil")::text`)} FROM "FileVersion" f
    WHERE f."repositoryId" = ${repoId}::uuid AND f."parent" = ${path} AND f."validUntil" <= ${ts(T)} ${nameFilter}
      AND NOT EXISTS (SELECT 1 FROM "FileVersion" g WHERE g."repositoryId" = f."repositoryId" AND g."path" = f."path"
                      AND g."validFrom" <= ${ts(T)} AND (g."validUntil" IS NULL OR g."validUntil" > ${ts(T)}))
    ORDER BY f."path", f."validUntil" DESC`;
  const source = opts.showDeleted ? Prisma.sql`${alive} UNION ALL (${gone})` : alive;
  // Each row's JSON text is made while scanning (from entryJson: no per-column encoding) and sorted with the keys.
  return Prisma.sql`SELECT '[' || coalesce(string_agg(p.j, ','), '') || ']' AS rows FROM (
    SELECT x.j FROM (${source}) x ${after} ORDER BY ${orderBy} LIMIT ${opts.limit + 1}) p`;
}

/** One JSON array (column `rows`) of a query's rows, in its order: decoding one value beats thousands of rows. */
export function asJsonArray(query: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT coalesce(json_agg(q), '[]'::json) AS rows FROM (${query}) q`;
}

async function isDirectoryAt(repoId: string, path: string, T: number): Promise<boolean> {
  const rows = await db().$queryRaw<{ type: string }[]>`SELECT f."type"::text AS type FROM "FileVersion" f
    WHERE f."repositoryId" = ${repoId}::uuid AND f."path" = ${path} AND f."validFrom" <= ${ts(T)} AND (f."validUntil" IS NULL OR f."validUntil" > ${ts(T)}) LIMIT 1`;
  return rows[0]?.type === "dir";
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(s: string | undefined, sort: SortKey): Cursor | null {
  if (!s) return null;
  try {
    const c: unknown = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
    if (Array.isArray(c) && sort === "name" && c.length === 1 && typeof c[0] === "string") return c as Cursor;
    if (Array.isArray(c) && sort !== "name" && c.length === 3 && (c[0] === 0 || c[0] === 1) && typeof c[1] === "string" && typeof c[2] === "string") {
      if (sort === "size" ? /^\d{1,19}$/.test(c[1]) : c[1] === "-Infinity" || Number.isFinite(Number(c[1]))) return c as Cursor;
    }
  } catch {
    // fall through
  }
  throw new AppError("invalid", "Invalid cursor: it does not come from a previous page");
}

/**
 * The exact bytes of `path` (as the catalogue stores it) when they are not valid UTF-8, else null: what the
 * agent must be asked for (as `pathBase64`) to download or restore such a file or folder. No rights check:
 * call after the caller's access to the repository was checked (e.g. by resolveDownload).
 */
export async function exactPathBytes(repoId: string, path: string): Promise<Buffer | null> {
  if (!path.includes("\\x")) return null;
  const row = await db().fileVersion.findFirst({ where: { repositoryId: repoId, path, rawPath: { not: null } }, select: { rawPath: true } });
  return row?.rawPath ? Buffer.from(row.rawPath) : null;
}

/**
 * Data-plane query parameters for a path with exact bytes (see exactPathBytes): `pathBase64` (base64url) and, for
 * `path`, the lossy UTF-8 rendering (the stored `\xHH` text has backslashes the data plane refuses). Empty otherwise.
 */
export async function exactPathQuery(repoId: string, path: string): Promise<{ path?: string; pathBase64?: string }> {
  const raw = await exactPathBytes(repoId, path);
  return raw ? { path: raw.toString("utf8"), pathBase64: raw.toString("base64url") } : {};
}
