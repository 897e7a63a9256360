// Reconstructs the bytes of a regular file at a session (§3.2 step 3): start from the mirror or a
// snapshot increment and apply reverse deltas newest → oldest, streaming the last step.
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { applyDelta, patchToFile } from "../librsync";
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

/** Streams the bytes of a plan; intermediate versions go to a private temp dir removed at the end. */
export async function* fileDataStream(plan: DataPlan, label: string, tmpRoot = os.tmpdir(), sizeHint?: number): AsyncGenerator<Buffer> {
  if (!plan.start) return;
  const { start, diffs } = plan;
  if (!diffs.length) {
    yield* guarded(label, start.file, start.compressed ? openMaybeGzip(start.file, true) : readChunks(start.file, chunkFor(sizeHint)));
    return;
  }
  const tmp = await mkdtemp(path.join(tmpRoot, "strata-restore-"));
  try {
    let basis: Buffer = start.file;
    if (start.compressed) {
      basis = Buffer.from(path.join(tmp, "start"));
      try {
        await pipeline(Readable.from(openMaybeGzip(start.file, true)), createWriteStream(basis));
      } catch (err) {
        throw fail(label, start.file, err);
      }
    }
    for (let i = 0; i < diffs.length; i++) {
      const d = diffs[i];
      const b = await stringPathFor(basis).catch((err) => { throw fail(label, basis, err); });
      try {
        const delta = openMaybeGzip(d.file, d.compressed);
        if (i < diffs.length - 1) {
          const out = path.join(tmp, `v${i}`);
          await patchToFile(b.path, delta, out).catch((err) => { throw fail(label, d.file, err); });
          basis = Buffer.from(out);
        } else {
          yield* guarded(label, d.file, applyDelta(b.path, delta));
        }
      } finally {
        await b.close();
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
