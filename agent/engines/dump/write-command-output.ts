// Streams one command's standard output through the archive block compressor into `<dest>.part` and renames
// it to `dest` only when the command exited 0 and every byte was written; otherwise nothing is left behind.
import { compressToFile } from "../archive/atomic-file";
import type { Compression } from "../archive/naming";
import { describeExit, type RunningCommand } from "./runner";

export type { Compression } from "../archive/naming";

/** Maps backup-manager's compressor words (gzip, gz, bzip2, bzip, none, uncompressed, "") and ours. */
export function parseCompression(word: string | undefined): Compression {
  const w = (word ?? "").trim().toLowerCase();
  if (w === "gzip" || w === "gz") return "gzip";
  if (w === "bzip2" || w === "bzip" || w === "bz2") return "bzip2";
  if (w === "xz") return "xz";
  if (w === "zstd" || w === "zst") return "zstd";
  if (w === "" || w === "none" || w === "uncompressed") return "none";
  throw new Error(`No such compressor supported: "${word}" (use gzip, bzip2, xz, zstd or none)`);
}

/** What `writeCommandOutput` needs besides the command. */
export interface WriteOutputOptions {
  /** Final path; the bytes go to `dest + ".part"` first. */
  dest: string;
  compression: Compression;
  /** Names the dump in error messages, e.g. `MySQL database "shop"`. */
  label: string;
  /** The program that produces the output, for error messages. */
  command: string;
  signal?: AbortSignal;
}

/**
 * Copies the command's output into `dest` and returns the archive's size in bytes.
 * 1. stream stdout → block compressor → `<dest>.part`, 2. wait for the command and require exit 0,
 * 3. rename into place. On any failure (command, compressor, disk) the command is killed and the
 * `.part` file removed; the error names the dump and the cause.
 */
export async function writeCommandOutput(cmd: RunningCommand, opts: WriteOutputOptions): Promise<number> {
  const kill = () => cmd.kill();
  opts.signal?.addEventListener("abort", kill, { once: true });
  try {
    const res = await compressToFile(cmd.stdout, opts.dest, {
      compression: opts.compression,
      signal: opts.signal,
      check: async () => {
        const exit = await cmd.done;
        if (exit.code !== 0) throw new Error(`Cannot write dump of ${opts.label}: ${opts.command} ${describeExit(exit)}`);
      },
    });
    return res.bytesOut;
  } catch (err) {
    cmd.kill();
    throw err;
  } finally {
    opts.signal?.removeEventListener("abort", kill);
  }
}
