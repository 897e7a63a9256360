// Writing reverse increments (§1.4): where each goes (increments/ or long_filename_data), which kind,
// compression by the not-compressed rule, and the old entry's attributes on the increment file.
import {
  closeSync, createReadStream, fchmodSync, fchownSync, fstatSync, fsync, futimesSync, mkdirSync, open, openSync, promises as fsp, readSync, unlinkSync, writeSync,
} from "node:fs";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { createGzip } from "node:zlib";
import type { MetaRecord } from "../format/metadata-record";
import { baseName, parentPath } from "../format/metadata-record";
import { formatIncName, isNotCompressed, type IncType } from "../format/names";
import { quoteRelPath, type Quoting } from "../format/quoting";
import { createDelta } from "../librsync/delta";
import { DeltaEncoder } from "../librsync/delta-encoder";
import { DeltaMatcher } from "../librsync/match";
import type { Signature } from "../librsync/signature";
import { isRoot, mkspecialAt, setAttrs, SourceReadError, symlinkAt, touchAt, writeChunks, type Attrs } from "./repo-writer";
import { countWrite } from "./write-hook";
import { copyPoolUsable, incInWorker } from "./copy-pool";

/** Where increments of one session go and how they are named. */
export interface IncrementTarget {
  repo: string;
  dataDir: string;
  quoting: Quoting;
  /** Time string of the previous session, the label of every increment this session writes. */
  label: string;
}

/** Absolute path of the increment of `rel` (with its record's long name, if any). */
export function incrementPath(t: IncrementTarget, rel: Buffer, rec: MetaRecord | undefined, type: IncType, gz: boolean): Buffer {
  if (rec?.altIncName) {
    return Buffer.from(path.join(t.dataDir, "long_filename_data", formatIncName(rec.altIncName, t.label, type, gz).toString("latin1")), "latin1");
  }
  const dir = quoteRelPath(t.quoting, parentPath(rel));
  const name = t.quoting.quote(formatIncName(baseName(rel), t.label, type, gz));
  return Buffer.concat([Buffer.from(path.join(t.dataDir, "increments") + "/"), dir.length ? Buffer.concat([dir, Buffer.from("/")]) : Buffer.alloc(0), name]);
}

const madeDirs = new Set<string>();

function ensureParent(file: Buffer): void {
  const dir = file.subarray(0, file.lastIndexOf(0x2f));
  const key = dir.toString("latin1");
  if (madeDirs.has(key)) return;
  countWrite();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  madeDirs.add(key);
  if (madeDirs.size > 10_000) madeDirs.clear();
}

function oldAttrs(rec: MetaRecord) {
  return { mode: (rec.perms ?? 0o600) & 0o777, uid: rec.uid, gid: rec.gid, mtime: rec.mtime };
}

/** Writes `<name>.<P>.missing` (0 bytes, 0600). Returns its size (0). */
export async function writeMissing(t: IncrementTarget, rel: Buffer, rec: MetaRecord | undefined): Promise<number> {
  const p = incrementPath(t, rel, rec, "missing", false);
  ensureParent(p);
  writeSmallFile(p, EMPTY, {});
  return 0;
}

/** Writes `<name>.<P>.dir` (the root's: `increments.<P>.dir` in the data dir) with the old directory's attributes. */
export async function writeDirInc(t: IncrementTarget, rel: Buffer, old: MetaRecord): Promise<number> {
  const p = rel.length === 0
    ? Buffer.from(path.join(t.dataDir, formatIncName("increments", t.label, "dir").toString("latin1")), "latin1")
    : incrementPath(t, rel, old, "dir", false);
  ensureParent(p);
  writeSmallFile(p, EMPTY, { ...oldAttrs(old), mode: (old.perms ?? 0o755) & 0o777 });
  return 0;
}

/** Writes the reverse delta `<name>.<P>.diff[.gz]` = delta(signature(new), old mirror bytes); returns its size. */
export async function writeDiffInc(t: IncrementTarget, rel: Buffer, old: MetaRecord, mirrorAbs: Buffer, newSig: Signature): Promise<number> {
  const gz = !isNotCompressed(mirrorAbs);
  const p = incrementPath(t, rel, old, "diff", gz);
  ensureParent(p);
  const small = await durableFromMirror(p, mirrorAbs, oldAttrs(old), { sig: newSig, gz });
  if (small !== undefined) return small;
  const delta = createDelta(newSig, createReadStream(mirrorAbs));
  await writeChunks(p, gz ? gzipped(delta) : delta, 0o600, true);
  await setAttrs(p, oldAttrs(old));
  return (await fsp.lstat(p)).size;
}

/** Writes `<name>.<P>.snapshot[.gz]` of the old mirror entry (bytes, symlink or special file); returns its size. */
export async function writeSnapshotInc(t: IncrementTarget, rel: Buffer, old: MetaRecord, mirrorAbs: Buffer): Promise<number> {
  if (old.type === "sym") {
    const p = incrementPath(t, rel, old, "snapshot", false);
    ensureParent(p);
    await symlinkAt(old.symData ?? Buffer.alloc(0), p);
    await setAttrs(p, oldAttrs(old), true);
    return old.symData?.length ?? 0;
  }
  if (old.type === "fifo" || old.type === "sock" || old.type === "dev") {
    const p = incrementPath(t, rel, old, "snapshot", false);
    ensureParent(p);
    await mkspecialAt(p, old.type, t.dataDir, old.deviceNum).catch(() => touchAt(p, 0o600));
    await setAttrs(p, oldAttrs(old));
    return 0;
  }
  const gz = !isNotCompressed(mirrorAbs);
  const p = incrementPath(t, rel, old, "snapshot", gz);
  ensureParent(p);
  const small = await durableFromMirror(p, mirrorAbs, oldAttrs(old), { gz });
  if (small !== undefined) return small;
  const data = createReadStream(mirrorAbs) as AsyncIterable<Buffer>;
  await writeChunks(p, gz ? gzipped(data) : data, 0o600, true);
  await setAttrs(p, oldAttrs(old));
  return (await fsp.lstat(p)).size;
}

async function* gzipped(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = createGzip({ level: GZIP_LEVEL });
  const out: Buffer[] = [];
  let ended = false;
  let failed: unknown;
  gz.on("data", (c: Buffer) => out.push(c));
  gz.on("error", (e) => (failed = e));
  const done = new Promise<void>((res) => gz.once("end", () => ((ended = true), res())));
  for await (const c of chunks) {
    if (!gz.write(c)) await new Promise((r) => gz.once("drain", r));
    while (out.length) yield out.shift()!;
  }
  gz.end();
  await done;
  if (failed) throw failed;
  while (out.length) yield out.shift()!;
  void ended;
}

const GZIP_LEVEL = 6;
const EMPTY = Buffer.alloc(0);
/** Mirror files up to this size are read, diffed and compressed in memory with synchronous calls. */
const IN_MEMORY_LIMIT = 16 << 20;

/** Read buffer of readWholeIfSmall, reused: its bytes are diffed/compressed and written before any await. */
let scratch = Buffer.allocUnsafe(1 << 20);

/**
 * The whole content of a mirror file when it is at most IN_MEMORY_LIMIT bytes (else undefined: stream it),
 * in a shared buffer valid until the next call. Synchronous on purpose: a few microseconds per call, against
 * a thread-pool round trip per step. Failures are SourceReadErrors (the path is logged and kept as it was).
 */
function readWholeIfSmall(file: Buffer): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw new SourceReadError(err);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > IN_MEMORY_LIMIT) return undefined;
    if (scratch.length < size + 1) scratch = Buffer.allocUnsafe(size + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < scratch.length; n += r) r = readSync(fd, scratch, n, scratch.length - n, null);
    if (n > size) return undefined; // grew while read: let the streaming path take it
    return scratch.subarray(0, n);
  } catch (err) {
    throw new SourceReadError(err);
  } finally {
    closeSync(fd);
  }
}

/** Creates `p` (exclusively) with `data` and the attributes, synchronously; no fsync. */
function writeSmallFile(p: Buffer, data: Buffer, a: Attrs): number {
  const fd = createWithData(p, data, a);
  closeSync(fd);
  return data.length;
}

const fsyncAsync = promisify(fsync);
const openAsync = promisify(open);

/** What an increment made from a whole mirror file holds: its reverse delta against `sig`, or (no sig) its bytes. */
export interface IncBody {
  sig?: Signature;
  gz: boolean;
}

function makeIncBody(whole: Buffer, body: IncBody): Buffer {
  let data = whole;
  if (body.sig) {
    const enc = new DeltaEncoder();
    const matcher = new DeltaMatcher(body.sig, enc);
    matcher.push(whole);
    matcher.finish();
    enc.end();
    const parts: Buffer[] = [];
    for (let c = enc.take(); c; c = enc.take()) parts.push(c);
    data = Buffer.concat(parts);
  }
  return body.gz ? gzipSync(data, { level: GZIP_LEVEL }) : data;
}

/**
 * The synchronous part of a small increment (the copy worker runs it through createIncClosed): reads the
 * mirror file `src`, makes the increment body and creates `p` with it and the attributes. Leaves `p` open for
 * the caller's fsync (`fd`); `tooBig` (nothing written) when the mirror file must be streamed instead.
 */
export function createIncFromMirror(src: Buffer, p: Buffer, a: Attrs, body: IncBody): { bytes: number; fd?: number; tooBig?: boolean } {
  const whole = readWholeIfSmall(src);
  if (!whole) return { bytes: 0, tooBig: true };
  const data = makeIncBody(whole, body);
  return { bytes: data.length, fd: createWithData(p, data, a) };
}

/**
 * For a mirror file of at most IN_MEMORY_LIMIT bytes: writes `p` (the increment `body` of it) durably and
 * resolves to the size written; undefined (nothing written) when the file is bigger and must be streamed.
 * The synchronous part runs in the copy worker when there is one; the fsync on the thread pool either way.
 */
async function durableFromMirror(p: Buffer, mirrorAbs: Buffer, a: Attrs, body: IncBody): Promise<number | undefined> {
  await fsyncSlot();
  try {
    if (copyPoolUsable()) {
      const made = await incInWorker(mirrorAbs, p, a, body, createIncClosed);
      if (made.tooBig) return undefined;
      await syncFile(p);
      return made.bytes;
    }
    const made = createIncFromMirror(mirrorAbs, p, a, body);
    if (made.fd === undefined) return undefined;
    await syncFd(made.fd, p);
    return made.bytes;
  } finally {
    releaseFsyncSlot();
  }
}

/**
 * createIncFromMirror, the new file closed (not synced): what the copy worker runs, a descriptor a worker
 * opened being its own (closed when it exits), whichever thread fsyncs; and its fallback on this thread.
 */
export function createIncClosed(src: Buffer, p: Buffer, a: Attrs, body: IncBody): { bytes: number; tooBig?: boolean } {
  const made = createIncFromMirror(src, p, a, body);
  if (made.fd !== undefined) closeSync(made.fd);
  return { bytes: made.bytes, tooBig: made.tooBig };
}

/** fsync of the new file `p` through a descriptor of our own (the worker closed its one); `p` is removed on failure. */
async function syncFile(p: Buffer): Promise<void> {
  let fd: number;
  try {
    fd = await openAsync(p, "r");
  } catch (err) {
    unlinkQuietly(p);
    throw err;
  }
  await syncFd(fd, p);
}

/** fsync (on the thread pool: other paths go on meanwhile), then close; `p` is removed on failure. */
async function syncFd(fd: number, p: Buffer): Promise<void> {
  try {
    await fsyncAsync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkQuietly(p);
    throw err;
  }
  closeSync(fd);
}

/** Increments waiting for their fsync at once (each holds a descriptor; the thread pool runs 4 anyway). */
const MAX_FSYNCS = 32;
let fsyncsInFlight = 0;
const fsyncWaiters: Array<() => void> = [];

/** Waits for a free fsync slot (bounds the descriptors open at once). */
async function fsyncSlot(): Promise<void> {
  while (fsyncsInFlight >= MAX_FSYNCS) await new Promise<void>((res) => fsyncWaiters.push(res));
  fsyncsInFlight++;
}

function releaseFsyncSlot(): void {
  fsyncsInFlight--;
  fsyncWaiters.shift()?.();
}

function createWithData(p: Buffer, data: Buffer, a: Attrs): number {
  countWrite();
  const fd = openSync(p, "wx", 0o600);
  try {
    if (data.length) countWrite();
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    countWrite();
    if (isRoot && a.uid !== undefined) fchownSync(fd, a.uid, a.gid ?? 0);
    if (a.mode !== undefined) fchmodSync(fd, a.mode & 0o7777);
    if (a.mtime !== undefined) futimesSync(fd, a.mtime, a.mtime);
  } catch (err) {
    closeSync(fd);
    unlinkQuietly(p);
    throw err;
  }
  return fd;
}

function unlinkQuietly(p: Buffer): void {
  try {
    unlinkSync(p);
  } catch {
    /* already gone */
  }
}
