// The read traversal: every entry of a (sub-)tree as it was at a session, in metadata order, with lazy
// access to regular-file bytes. Restores, listings, verify and streaming downloads are built on it.
import { Readable } from "node:stream";
import { AgentError } from "@/agent/errors";
import { readMetadataAt } from "../format/metadata-chain";
import { comparePaths, type MetaRecord } from "../format/metadata-record";
import { showPath } from "../format/fs-path";
import { IncrementIndex, mirrorFilePath } from "./increments";
import { fileDataStream, planFileData } from "./file-data";
import { restoreTimeFor, type MirrorRepo } from "./repository";

/** One path of the tree at the restore session. */
export interface WalkEntry {
  /** Path relative to the repository root (raw bytes; empty for the root). */
  path: Buffer;
  /** Path relative to the walked sub-tree (empty for the sub-tree root itself). */
  rel: Buffer;
  record: MetaRecord;
  /** For the 2nd..nth path of a hard-link group: `rel` of the first one seen in this walk. */
  linkTo?: Buffer;
  /** Regular files: the bytes at the session (each call reads afresh). */
  open(): AsyncIterable<Buffer>;
  /** Regular files whose bytes are one plain file (mirror or uncompressed snapshot, no deltas): that file. */
  directFile?: Buffer;
  /** Set when rdiff-backup would warn and restore an empty file. */
  warning?: string;
}

export interface WalkOptions {
  /** Where intermediate versions of a file are kept while deltas are applied. */
  tmpDir?: string;
}

/** Whether `p` is `sub` itself or inside it. */
export function isWithin(p: Buffer, sub: Buffer): boolean {
  if (sub.length === 0) return true;
  if (p.length < sub.length || !p.subarray(0, sub.length).equals(sub)) return false;
  return p.length === sub.length || p[sub.length] === 0x2f;
}

function relTo(p: Buffer, sub: Buffer): Buffer {
  if (sub.length === 0) return p;
  return p.length === sub.length ? Buffer.alloc(0) : p.subarray(sub.length + 1);
}

/** Sub-tree records at the exact session `rest`, in order. */
async function* subtreeRecords(repo: MirrorRepo, sub: Buffer, rest: number): AsyncGenerator<MetaRecord> {
  let seen = false;
  for await (const rec of readMetadataAt(repo.root, rest, repo.metadataFiles)) {
    if (isWithin(rec.path, sub)) {
      seen = true;
      yield rec;
    } else if (seen || comparePaths(rec.path, sub) > 0) {
      return;
    }
  }
}

/** Walks `sub` (raw path, empty = whole tree) as of `time` (resolved to a session as §3.2 says). */
export async function* walkAt(repo: MirrorRepo, sub: Buffer, time: number, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const rest = restoreTimeFor(repo, time);
  const index = new IncrementIndex(repo.root, repo.state.quoting);
  const links = new Map<string, Buffer>();
  for await (const record of subtreeRecords(repo, sub, rest)) {
    const rel = relTo(record.path, sub);
    const entry: WalkEntry = { path: record.path, rel, record, open: () => Readable.from([]) };
    if (record.type === "reg") {
      if ((record.numHardLinks ?? 1) > 1) {
        const key = `${record.inode}:${record.deviceLoc}`;
        const first = links.get(key);
        if (first) entry.linkTo = first;
        else links.set(key, rel);
      }
      const incs = await index.of(record.path, record);
      const mirror = mirrorFilePath(repo.root, repo.state.quoting, record.path, record);
      const plan = planFileData(incs, rest, repo.mirrorTime, mirror);
      if (plan.warning) entry.warning = `Cannot restore "${showPath(record.path)}" exactly: ${plan.warning}; an empty file is written`;
      if (plan.start && !plan.start.compressed && !plan.diffs.length) entry.directFile = plan.start.file;
      entry.open = () => fileDataStream(plan, showPath(record.path), opts.tmpDir, record.size);
    }
    yield entry;
  }
}

/** The record of one path at `time`, or null when it does not exist then. */
export async function statAt(repo: MirrorRepo, p: Buffer, time: number): Promise<WalkEntry | null> {
  for await (const e of walkAt(repo, p, time)) return e;
  return null;
}

/** The bytes of the regular file `p` as of `time` (an error when it is absent or not a regular file). */
export async function openFileAt(repo: MirrorRepo, p: Buffer, time: number, opts: WalkOptions = {}): Promise<Readable> {
  let found: WalkEntry | null = null;
  for await (const e of walkAt(repo, p, time, opts)) {
    found = e;
    break;
  }
  if (!found) throw new AgentError("usage", `Cannot open "${showPath(p)}": it does not exist at that time`);
  if (found.record.type !== "reg") throw new AgentError("usage", `Cannot open "${showPath(p)}": it is not a regular file at that time`);
  return Readable.from(found.open());
}
