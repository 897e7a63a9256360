// Never a partial archive in the repository: every output is written to `NAME.part` and renamed into
// place only when complete; on any failure the partial file is removed and the error says why.
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { compressStreamToFile, type CompressResult } from "./compress";
import type { Compression } from "./naming";

/** Suffix of in-progress outputs. */
export const PART_SUFFIX = ".part";

/** Human cause of a write error (ENOSPC and friends get plain words). */
export function describeWriteError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOSPC") return "no space left on device";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EDQUOT") return "disk quota exceeded";
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `produce(partPath)` and renames the part file to `finalPath` when it resolves. On failure the
 * part file is removed and the error is rethrown as `Cannot write "NAME": cause` (cause kept).
 */
export async function writeAtomically<T>(finalPath: string, produce: (partPath: string) => Promise<T>): Promise<T> {
  const part = finalPath + PART_SUFFIX;
  await rm(part, { force: true });
  try {
    const out = await produce(part);
    await rename(part, finalPath);
    return out;
  } catch (err) {
    await rm(part, { force: true }).catch(() => undefined);
    if (err instanceof Error && err.message.startsWith("Cannot write")) throw err;
    throw new Error(`Cannot write "${path.basename(finalPath)}": ${describeWriteError(err)}`, { cause: err });
  }
}

/**
 * Compresses a stream into `finalPath` atomically. `check` (optional) runs after the stream ended and
 * may throw (e.g. the producing command exited non-zero): then nothing is left behind.
 */
export async function compressToFile(
  input: Readable,
  finalPath: string,
  opts: {
    compression: Compression;
    mode?: number;
    blockSize?: number;
    concurrency?: number;
    signal?: AbortSignal;
    check?: () => Promise<void>;
  },
): Promise<CompressResult> {
  // Consume the input at once: a child process's stdout that nobody reads when the child exits is
  // drained and discarded by Node, so it must not wait for the awaits below.
  const held = input.pipe(new PassThrough({ highWaterMark: 1 << 20 }));
  input.once("error", (err) => held.destroy(err));
  return writeAtomically(finalPath, async (part) => {
    const res = await compressStreamToFile(held, part, opts);
    if (opts.check) await opts.check();
    return res;
  });
}
