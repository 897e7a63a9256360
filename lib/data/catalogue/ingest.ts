// Change sets become file versions: one transaction per increment, bulk INSERT ... SELECT FROM json_to_recordset in
// batches, closing the open version of each changed or deleted path. A repeated (repository, time) is a no-op.
import { Prisma } from "@/lib/generated/prisma/client";
import type { IncrementKind } from "@/lib/generated/prisma/enums";
import { AppError } from "@/lib/errors";
import type { ChangeSetEntry, ChangeSetHeader } from "@/lib/schemas/change-set";
import { catalogueTextOf, nameOf, parentOf, storedPath } from "./paths";
import { entryJsonOf, ts, type Client } from "./sql";

/** Rows per INSERT/UPDATE statement. */
export const INGEST_BATCH = 20000;

/**
 * A change set this large refreshes the planner's statistics before it commits: the close-the-open-versions
 * UPDATE of the next increment must take the path index, and autovacuum may be off or hours behind.
 */
export const ANALYZE_AFTER = 50_000;

export interface IngestInput {
  repositoryId: string;
  header: ChangeSetHeader;
  entries: AsyncIterable<ChangeSetEntry> | Iterable<ChangeSetEntry>;
  /** Default: "mirror" for mirror change sets; archive ones: "full" for a repository's first, else "incremental". "full" closes every open version first. */
  kind?: IncrementKind;
  /** Bytes this increment adds on disk, when the sender knows it. */
  sizeBytes?: number;
  /** Archives written by this increment (added to those named by entries). */
  archives?: string[];
}

export interface IngestResult {
  incrementId: string;
  /** False when the increment was already catalogued (nothing changed). */
  created: boolean;
  newCount: number;
  changedCount: number;
  deletedCount: number;
}

interface Totals { files: number; bytes: bigint }

/** Ingests one change set; `client` may be the Prisma client (a transaction is opened) or a transaction. */
export async function ingestChangeSet(client: Client, input: IngestInput): Promise<IngestResult> {
  if ("$transaction" in client) {
    return client.$transaction((tx) => ingestInTx(tx, input), { timeout: 60 * 60_000, maxWait: 60_000 });
  }
  return ingestInTx(client, input);
}

async function ingestInTx(tx: Prisma.TransactionClient, input: IngestInput): Promise<IngestResult> {
  const { repositoryId: repo, header } = input;
  const T = header.time;
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM "Repository" WHERE id = ${repo}::uuid FOR UPDATE`;
  if (!locked.length) throw new AppError("not_found", `Cannot ingest change set: no repository "${repo}"`);
  const existing = await tx.increment.findUnique({ where: { repositoryId_time: { repositoryId: repo, time: new Date(T * 1000) } } });
  if (existing) return { incrementId: existing.id.toString(), created: false, newCount: existing.newCount, changedCount: existing.changedCount, deletedCount: existing.deletedCount };
  const latest = await tx.increment.findFirst({ where: { repositoryId: repo }, orderBy: { time: "desc" } });
  if (latest && latest.time.getTime() > T * 1000) {
    throw new AppError("conflict", `Cannot ingest change set of ${new Date(T * 1000).toISOString()}: repository already has the later increment ${latest.time.toISOString()}`);
  }
  const kind: IncrementKind = input.kind ?? (header.format === "mirror" ? "mirror" : header.previousTime === null && !latest ? "full" : "incremental");
  const totals: Totals = { files: latest?.fileCount ?? 0, bytes: latest?.treeBytes ?? 0n };
  if (kind === "full") subtract(totals, await closeAllOpen(tx, repo, T));
  // Nothing to close while the repository has no versions at all (its first change set, an import's start).
  const first = !latest && !(await tx.fileVersion.findFirst({ where: { repositoryId: repo }, select: { id: true } }));
  const counts = { new: 0, changed: 0, deleted: 0 };
  const archives = new Set(input.archives ?? []);
  let batch: ChangeSetEntry[] = [];
  for await (const e of input.entries) {
    counts[e.change]++;
    if (e.archive) archives.add(e.archive);
    batch.push(e);
    if (batch.length >= INGEST_BATCH) {
      await writeBatch(tx, repo, T, batch, totals, first);
      batch = [];
    }
  }
  if (batch.length) await writeBatch(tx, repo, T, batch, totals, first);
  if (counts.new + counts.changed + counts.deleted >= ANALYZE_AFTER) await tx.$executeRawUnsafe(`ANALYZE "FileVersion"`);
  const inc = await tx.increment.create({
    data: {
      repositoryId: repo,
      time: new Date(T * 1000),
      kind,
      sizeBytes: BigInt(Math.max(0, Math.round(input.sizeBytes ?? 0))),
      treeBytes: totals.bytes,
      fileCount: totals.files,
      newCount: counts.new,
      changedCount: counts.changed,
      deletedCount: counts.deleted,
      archives: [...archives].sort(),
    },
  });
  return { incrementId: inc.id.toString(), created: true, newCount: counts.new, changedCount: counts.changed, deletedCount: counts.deleted };
}

function subtract(t: Totals, closed: Totals) {
  t.files -= closed.files;
  t.bytes -= closed.bytes;
}

async function closeAllOpen(tx: Prisma.TransactionClient, repo: string, T: number): Promise<Totals> {
  const [r] = await tx.$queryRaw<{ files: number; bytes: bigint }[]>`
    WITH closed AS (
      UPDATE "FileVersion" SET "validUntil" = ${ts(T)}
      WHERE "repositoryId" = ${repo}::uuid AND "validUntil" IS NULL AND "validFrom" < ${ts(T)}
      RETURNING "type", "size")
    SELECT (count(*) FILTER (WHERE "type" = 'file'))::int AS files, COALESCE(sum("size") FILTER (WHERE "type" = 'file'), 0)::bigint AS bytes FROM closed`;
  return { files: r.files, bytes: BigInt(r.bytes) };
}

/** Closes the open versions of the batch's paths (unless the repository had none), then opens the new ones. */
async function writeBatch(tx: Prisma.TransactionClient, repo: string, T: number, batch: ChangeSetEntry[], totals: Totals, first: boolean) {
  const stored = batch.map(storedEntryPath);
  // Sorted, so the close UPDATE's probes of the path index mostly walk it forward instead of jumping about.
  if (!first) await closeOpen(tx, repo, T, stored.map((s) => s.path).sort(byCodePoint), totals);
  await insertLive(tx, repo, T, batch.map((e, i) => ({ e, ...stored[i] })).filter(({ e }) => e.change !== "deleted"), totals);
}

/** Code-unit order: close to a C-collated text index's order (only a hint for locality, never for correctness). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The path as stored: from `pathBase64` (exact bytes) when the agent sent it, else `path`; checked either way. */
function storedEntryPath(e: ChangeSetEntry): { path: string; raw: string | null } {
  if (e.pathBase64 === undefined) return { path: checkedPath(e.path), raw: null };
  const t = catalogueTextOf(Buffer.from(e.pathBase64, "base64"));
  return { path: checkedPath(t.path), raw: t.rawPath ? t.rawPath.toString("hex") : null };
}

async function closeOpen(tx: Prisma.TransactionClient, repo: string, T: number, paths: string[], totals: Totals) {
  const [closed] = await tx.$queryRaw<{ files: number; bytes: bigint }[]>`
    WITH closed AS (
      UPDATE "FileVersion" SET "validUntil" = ${ts(T)}
      WHERE "repositoryId" = ${repo}::uuid AND "path" = ANY(${paths}::text[]) AND "validUntil" IS NULL AND "validFrom" < ${ts(T)}
      RETURNING "type", "size")
    SELECT (count(*) FILTER (WHERE "type" = 'file'))::int AS files, COALESCE(sum("size") FILTER (WHERE "type" = 'file'), 0)::bigint AS bytes FROM closed`;
  subtract(totals, { files: closed.files, bytes: BigInt(closed.bytes) });
}

async function insertLive(tx: Prisma.TransactionClient, repo: string, T: number, live: Array<{ e: ChangeSetEntry; path: string; raw: string | null }>, totals: Totals) {
  if (!live.length) return;
  for (const { e } of live) {
    if (e.type === "file") {
      totals.files++;
      totals.bytes += BigInt(e.size ?? 0);
    }
  }
  // One JSON text per batch (absent keys read as null): the driver then sends one value instead of escaping
  // 13 arrays element by element, which cost more client CPU than the INSERT cost the server.
  const rows = JSON.stringify(live.map(({ e, path, raw }) => ({
    path, parent: parentOf(path), name: nameOf(path), type: e.type, size: e.size ?? 0, mtime: e.mtime, mode: e.mode, uid: e.uid, gid: e.gid,
    digest: e.sha1, link: e.linkTarget, archive: e.archive, raw,
  })));
  // The values are typed as the columns (mtime rounded to milliseconds) so that entryJson matches them.
  await tx.$executeRaw`
    INSERT INTO "FileVersion" ("repositoryId", "path", "parent", "name", "type", "size", "mtime", "mode", "uid", "gid", "digest", "linkTarget", "archive", "rawPath", "validFrom", "entryJson")
    SELECT ${repo}::uuid, v."path", v."parent", v."name", v."type", v."size", v."mtime", v."mode", v."uid", v."gid", v."digest", v."linkTarget",
           v."archive", v."rawPath", ${ts(T)}, ${entryJsonOf("v")}
    FROM (SELECT u.path AS "path", u.parent AS "parent", u.name AS "name", u.type::"EntryType" AS "type", u.size AS "size",
                 (CASE WHEN u.mtime IS NULL THEN NULL ELSE to_timestamp(u.mtime) AT TIME ZONE 'UTC' END)::timestamp(3) AS "mtime",
                 u.mode AS "mode", u.uid AS "uid", u.gid AS "gid", u.digest AS "digest", u.link AS "linkTarget", u.archive AS "archive",
                 decode(u.raw, 'hex') AS "rawPath"
          FROM json_to_recordset(${rows}::json)
            AS u(path text, parent text, name text, type text, size bigint, mtime float8, mode int, uid int, gid int, digest text, link text, archive text, raw text)) v`;
}

function checkedPath(p: string): string {
  // A lone UTF-16 surrogate cannot be stored as text (the server would refuse the whole batch's JSON).
  if (/\p{Cs}/u.test(p)) throw new AppError("invalid", `Cannot ingest change set: path "${p.slice(0, 200)}" is not valid Unicode (send its bytes as pathBase64)`);
  try {
    return storedPath(p);
  } catch (err) {
    throw new AppError("invalid", `Cannot ingest change set: ${(err as Error).message}`, { cause: err });
  }
}
