// In-process zstd through @mongodb-js/zstd (libzstd compiled into a binary that ships inside its npm
// package, no download at install): one call compresses one block into one independent frame on libuv's
// thread pool, so blocks are compressed on every core without copying them through pipes to zstd
// processes. Without the library (or with STRATA_ZSTD=cli) the persistent zstd processes of zstd-pool.ts
// are used instead. Level: the library's default, 3, the same as the zstd command's. Reading a member's
// blocks decompresses them in-process too (no zstd process per read).
import { createRequire } from "node:module";

interface NativeZstd {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  /** Decompresses one or more whole frames (any zstd's). */
  decompress(data: Buffer): Promise<Buffer>;
}

let loaded: NativeZstd | null | undefined;

/** The in-process compressor, or undefined when it cannot load or STRATA_ZSTD=cli asks for the zstd command. */
export function nativeZstd(): NativeZstd | undefined {
  if (process.env.STRATA_ZSTD === "cli") return undefined;
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("@mongodb-js/zstd") as NativeZstd;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
