// Reconstructs the bytes of a regular file at a session (§3.2 step 3): start from the mirror or a
// snapshot increment and apply reverse deltas newest → oldest, streaming the last step.
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { applyDelta } from "../librsync";
import { openMaybeGzip } from "../format/metadata-stream";
import { showPath, stringPathFor } from "../format/fs-path";
import type { IncFile } from "./increments";

/** Where a file's bytes at one session come from. */
export interface DataPlan {
  /** Mirror file or snapshot increment the reconstruction starts from (null: nothing usable). */
  start: { file: Buffer; compressed: boolean } | null;
  /** Reverse deltas to apply, newest first. */
  diffs: IncFile[];
  /** Set when the start is not a regular-file source (rdiff-backup then writes an empty file). */
  warning?: string;
}

/**
 * Plans the reconstruction:
 * 1. at the mirror time, or without increments: the mirror file;
 * 2. else take increments at or after `rest`, ascending, up to the first non-diff;
 * 3. if that ends in a diff (or is empty), the mirror file is the starting point;
 * 4. apply the diffs from the newest to the oldest.
 */
export function planFileData(incs: IncFile[], rest: number, mirrorTime: number, mirror: Buffer): DataPlan {
  if (rest >= mirrorTime || incs.length === 0) return { start: { file: mirror, compressed: false }, diffs: [] };
  const newer = incs.filter((i) => i.time >= rest).sort((a, b) => a.time - b.time);
  const prefix: IncFile[] = [];
  for (const inc of newer) {
    prefix.push(inc);
    if (inc.type !== "diff") break;
  }
  const last = prefix[prefix.length - 1];
  const diffs = prefix.filter((i) => i.type === "diff").reverse();
  if (!last || last.type === "diff") return { start: { file: mirror, compressed: false }, diffs };
  if (last.type === "snapshot") return { start: { file: last.file, compressed: last.compressed }, diffs };
  return { start: null, diffs, warning: `increment "${showPath(last.file)}" is not a regular file` };
}

/** A failure to rebuild one file, naming the increment (or mirror file) at fault. */
export class FileDataError extends Error {
  constructor(message: string, readonly file: Buffer, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FileDataError";
  }
}

function fail(label: string, file: Buffer, err: unknown): FileDataError {
  const cause = err instanceof Error ? err.message : String(err);
  return new FileDataError(`Cannot restore "${label}": "${showPath(file)}" is unusable: ${cause}`, file, { cause: err });
}

async function* guarded(label: string, file: Buffer, src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* src;
  } catch (err) {
    throw err instanceof FileDataError ? err : fail(label, file, err);
  }
}

/** Read size: the expected size + 1 (so EOF shows in one more read), at most 256 KiB. */
function chunkFor(sizeHint?: number): number {
  return sizeHint === undefined ? 256 * 1024 : Math.min(256 * 1024, Math.max(sizeHint + 1, 1024));
}

/** Reads a file in large chunks with one descriptor (cheaper than a stream for many small files). */
async function* readChunks(file: Buffer, chunkSize = 256 * 1024): AsyncGenerator<Buffer> {
  const fh = await open(file, "r");
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkSize ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** A version used as the basis of the next delta: in memory when small, else a file. */
type Basis = { data: Buffer } | { file: Buffer };

/** Versions up to this size stay in memory between delta steps; bigger ones spill to a temp file. */
const MEM_LIMIT = 4 << 20;

/** Collects a byte stream into a Basis, spilling to `spill()` once it outgrows MEM_LIMIT. */
async function materialize(src: AsyncIterable<Buffer>, spill: () => Promise<string>): Promise<Basis> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = src[Symbol.asyncIterator]();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    chunks.push(r.value);
    size += r.value.length;
    if (size > MEM_LIMIT) {
      const file = await spill();
      const rest = (async function* () {
        yield* chunks;
        for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
      })();
      await pipeline(Readable.from(rest), createWriteStream(file));
      return { file: Buffer.from(file) };
    }
  }
  return { data: Buffer.concat(chunks, size) };
}

/** Applies one delta to a basis (memory or file). */
async function* patch(basis: Basis, delta: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if ("data" in basis) {
    yield* applyDelta(basis.data, delta);
    return;
  }
  const b = await stringPathFor(basis.file);
  try {
    yield* applyDelta(b.path, delta);
  } finally {
    await b.close();
  }
}

/**
 * Streams the bytes of a plan. Intermediate versions stay in memory when small, else go to a private
 * temp dir removed at the end; the last delta step is streamed.
 */
export async function* fileDataStream(plan: DataPlan, label: string, tmpRoot = os.tmpdir(), sizeHint?: number): AsyncGenerator<Buffer> {
  if (!plan.start) return;
  const { start, diffs } = plan;
  if (!diffs.length) {
    yield* guarded(label, start.file, start.compressed ? openMaybeGzip(start.file, true) : readChunks(start.file, chunkFor(sizeHint)));
    return;
  }
  let tmp: string | undefined;
  let seq = 0;
  const spill = async () => path.join((tmp ??= await mkdtemp(path.join(tmpRoot, "strata-restore-"))), `v${seq++}`);
  try {
    let basis: Basis;
    try {
      const size = start.compressed ? Infinity : (await stat(start.file)).size;
      basis = size <= MEM_LIMIT ? { data: await readFile(start.file) }
        : start.compressed ? await materialize(openMaybeGzip(start.file, true), spill)
        : { file: start.file };
    } catch (err) {
      throw fail(label, start.file, err);
    }
    for (let i = 0; i < diffs.length; i++) {
      const d = diffs[i];
      const out = patch(basis, openMaybeGzip(d.file, d.compressed));
      if (i === diffs.length - 1) yield* guarded(label, d.file, out);
      else basis = await materialize(guarded(label, d.file, out), spill);
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
