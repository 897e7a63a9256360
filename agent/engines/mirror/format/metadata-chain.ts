// The mirror_metadata chain (§1.6): which files hold the metadata of a session, reconstructing the full
// record list at any session time (newest snapshot + reverse diffs), and computing a reverse diff.
import path from "node:path";
import { comparePaths, sameRecord, type MetaRecord } from "./metadata-record";
import { readMetadataFile, readMetadataFileBatches } from "./metadata-stream";
import { DATA_DIR, DATA_PREFIX, listDataFiles } from "./names";

/** One mirror_metadata file. */
export interface MetadataFile {
  file: string;
  time: number;
  kind: "snapshot" | "diff";
}

/** rdiff-backup keeps at most this many diffs in a row before it keeps a snapshot. */
export const MAX_DIFF_CHAIN = 9;

/** Metadata files of a repository, oldest first (a snapshot sorts after a diff of the same time). */
export async function listMetadataFiles(repo: string, unquote?: (b: Buffer) => Buffer): Promise<MetadataFile[]> {
  const dataDir = path.join(repo, DATA_DIR);
  const out: MetadataFile[] = [];
  for (const f of await listDataFiles(dataDir, unquote)) {
    if (f.prefix !== DATA_PREFIX.mirrorMetadata) continue;
    if (f.type !== "snapshot" && f.type !== "diff") continue;
    out.push({ file: path.join(dataDir, f.name), time: f.time, kind: f.type });
  }
  return out.sort((a, b) => a.time - b.time || (a.kind === b.kind ? 0 : a.kind === "diff" ? -1 : 1));
}

/**
 * Files to read for the metadata at `time`, newest first: `[snapshot, diff, ..., file@time]`.
 * 1. keep one file per time at or after `time` (a snapshot beats a diff of the same time);
 * 2. walk from `time` towards newer files and stop at the first snapshot.
 */
export function metadataChainFor(files: MetadataFile[], time: number): MetadataFile[] {
  const byTime = new Map<number, MetadataFile>();
  for (const f of files) {
    if (f.time < time) continue;
    const had = byTime.get(f.time);
    if (!had || (had.kind === "diff" && f.kind === "snapshot")) byTime.set(f.time, f);
  }
  const asc = [...byTime.values()].sort((a, b) => a.time - b.time);
  if (!asc.length || asc[0].time !== time) {
    throw new Error(`Cannot read metadata at ${time}: no mirror_metadata file for that session`);
  }
  const chain: MetadataFile[] = [];
  for (const f of asc) {
    chain.push(f);
    if (f.kind === "snapshot") return chain.reverse();
  }
  throw new Error(`Cannot read metadata at ${time}: no newer mirror_metadata snapshot ends the diff chain`);
}

/** Walks several path-sorted record streams together; yields, per path, each stream's record or undefined. */
export async function* collate(streams: AsyncIterable<MetaRecord>[]): AsyncGenerator<Array<MetaRecord | undefined>> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heads = await Promise.all(its.map(async (it) => (await it.next()).value as MetaRecord | undefined));
  try {
    for (;;) {
      let min: Buffer | undefined;
      for (const h of heads) if (h && (!min || comparePaths(h.path, min) < 0)) min = h.path;
      if (!min) return;
      const row = heads.map((h) => (h && comparePaths(h.path, min!) === 0 ? h : undefined));
      for (let i = 0; i < heads.length; i++) {
        if (row[i]) heads[i] = (await its[i].next()).value as MetaRecord | undefined;
      }
      yield row;
    }
  } finally {
    await Promise.all(its.map((it) => it.return?.()));
  }
}

/** Full, sorted metadata at an exact session time (paths absent at that time are left out). */
export async function* readMetadataAt(repo: string, time: number, files?: MetadataFile[]): AsyncGenerator<MetaRecord> {
  const chain = metadataChainFor(files ?? (await listMetadataFiles(repo)), time);
  if (chain.length === 1) {
    for await (const r of readMetadataFile(chain[0].file)) if (r.type !== null) yield r;
    return;
  }
  for await (const row of collate(chain.map((f) => readMetadataFile(f.file)))) {
    let rec: MetaRecord | undefined;
    for (let i = row.length - 1; i >= 0 && !rec; i--) rec = row[i];
    if (rec && rec.type !== null) yield rec;
  }
}

/** readMetadataAt in batches of records (a snapshot: one batch per chunk read; a chain: up to 512 records). */
export async function* readMetadataBatchesAt(repo: string, time: number, files?: MetadataFile[]): AsyncGenerator<MetaRecord[]> {
  const list = files ?? (await listMetadataFiles(repo));
  const chain = metadataChainFor(list, time);
  if (chain.length === 1) {
    for await (const batch of readMetadataFileBatches(chain[0].file)) {
      const present = batch.filter((r) => r.type !== null);
      if (present.length) yield present;
    }
    return;
  }
  let batch: MetaRecord[] = [];
  for await (const r of readMetadataAt(repo, time, list)) {
    batch.push(r);
    if (batch.length >= 512) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Reverse diff stored as `mirror_metadata.<P>.diff`: for each path in union(P, N) — only in N → a
 * `Type None` record; only in P, or serialised differently → the P record; identical → nothing.
 */
export async function* diffMetadata(
  older: AsyncIterable<MetaRecord>,
  newer: AsyncIterable<MetaRecord>,
): AsyncGenerator<MetaRecord> {
  for await (const [o, n] of collate([older, newer])) {
    if (o && n && sameRecord(o, n)) continue;
    if (o) yield o;
    else if (n) yield { path: n.path, type: null };
  }
}

/**
 * Whether the metadata at P should become a diff once N is written: false when P and the
 * MAX_DIFF_CHAIN - 1 files just older than it are all diffs already (then P stays a snapshot).
 */
export function shouldConvertToDiff(files: MetadataFile[], previousTime: number): boolean {
  const older = files.filter((f) => f.time < previousTime).sort((a, b) => b.time - a.time);
  let chain = 1;
  for (const f of older) {
    if (f.kind !== "diff") break;
    chain++;
  }
  return chain < MAX_DIFF_CHAIN;
}
