// Streaming librsync patcher: basis (file path with random access, or a buffer) + delta → output bytes.
// Accepts every opcode width and any command order; memory stays bounded whatever the sizes involved.
import { open, type FileHandle } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { DELTA_MAGIC } from "./delta-encoder";
import { DeltaReader } from "./delta-reader";

/** A delta that cannot be applied: what is wrong and where (delta byte offset). */
export class DeltaFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeltaFormatError";
  }
}

const OUT_CHUNK = 256 * 1024;
const CACHE = 1 << 20;

interface Basis {
  size: number;
  /** Bytes [pos, pos+len) (len ≤ CACHE); the result is only valid until the next call. */
  read(pos: number, len: number): Uint8Array | Promise<Uint8Array>;
  close(): Promise<void>;
}

function bufferBasis(buf: Uint8Array): Basis {
  return { size: buf.length, read: (pos, len) => buf.subarray(pos, pos + len), close: async () => {} };
}

/**
 * The basis of a patch: a path (string), `{ path }` (string or raw-bytes Buffer path), an open FileHandle
 * (left open), or the basis bytes themselves (Uint8Array/Buffer: NOT a path).
 */
export type DeltaBasis = string | { path: string | Buffer } | FileHandle | Uint8Array;

async function openBasis(basis: DeltaBasis): Promise<Basis> {
  if (typeof basis === "string") return fileBasis(await open(basis, "r"), basis, true);
  if (basis instanceof Uint8Array) return bufferBasis(basis);
  if ("path" in basis && !("fd" in basis)) return fileBasis(await open(basis.path, "r"), String(basis.path), true);
  return fileBasis(basis as FileHandle, `fd ${(basis as FileHandle).fd}`, false);
}

/** File basis with a 1 MiB read cache: copies mostly walk the basis forward in small steps. */
async function fileBasis(fh: FileHandle, path: string, owned: boolean): Promise<Basis> {
  const size = (await fh.stat()).size;
  const cache = Buffer.allocUnsafe(CACHE);
  let cStart = 0, cLen = 0;
  const load = async (pos: number): Promise<void> => {
    cStart = pos;
    cLen = 0;
    const want = Math.min(CACHE, size - pos);
    while (cLen < want) {
      const { bytesRead } = await fh.read(cache, cLen, want - cLen, pos + cLen);
      if (bytesRead === 0) throw new Error(`Basis file "${path}" shrank while patching (now ends before ${pos + cLen})`);
      cLen += bytesRead;
    }
  };
  return {
    size,
    read(pos, len) {
      if (pos >= cStart && pos + len <= cStart + cLen) return cache.subarray(pos - cStart, pos - cStart + len);
      return load(pos).then(() => cache.subarray(0, len));
    },
    close: async () => {
      if (owned) await fh.close();
    },
  };
}

/** Collects output into fixed-size chunks. */
class Batch {
  private buf = Buffer.allocUnsafe(OUT_CHUNK);
  private len = 0;
  /** Copies as much of `src` as fits; returns how many bytes were taken. */
  put(src: Uint8Array): number {
    const n = Math.min(src.length, OUT_CHUNK - this.len);
    this.buf.set(n === src.length ? src : src.subarray(0, n), this.len);
    this.len += n;
    return n;
  }
  get full(): boolean {
    return this.len === OUT_CHUNK;
  }
  take(): Buffer | null {
    if (this.len === 0) return null;
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(OUT_CHUNK);
    this.len = 0;
    return out;
  }
}

/**
 * Applies a librsync delta to `basis` and yields the result. For a reverse increment, basis = the newer
 * version and the output is the older one. Throws DeltaFormatError naming the problem on a corrupt delta.
 */
export async function* applyDelta(basis: DeltaBasis, delta: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const src = await openBasis(basis);
  const r = new DeltaReader(delta);
  const batch = new Batch();
  try {
    if (!(r.has(4) || (await r.fill(4)))) throw new DeltaFormatError(`Corrupt delta: ${r.available} bytes is too short for the magic`);
    const magic = r.uint(4);
    if (magic !== DELTA_MAGIC) {
      throw new DeltaFormatError(`Corrupt delta: bad magic "0x${hex(magic, 8)}" (expected "0x72730236")`);
    }
    for (;;) {
      if (!(r.has(1) || (await r.fill(1)))) throw new DeltaFormatError(`Corrupt delta: truncated at offset ${r.offset} (no END command)`);
      const at = r.offset;
      const op = r.uint(1);
      if (op === 0) break;
      if (op > 0x54) throw new DeltaFormatError(`Corrupt delta: reserved opcode "0x${hex(op, 2)}" at offset ${at}`);
      if (op <= 0x44) {
        let len = op;
        if (op > 0x40) {
          const w = 1 << (op - 0x41);
          if (!(r.has(w) || (await r.fill(w)))) throw truncated(r, "LITERAL length", at);
          len = r.uint(w);
        }
        while (len > 0) {
          if (!(r.has(1) || (await r.fill(1)))) throw truncated(r, `LITERAL (${len} bytes missing)`, at);
          let piece = r.take(len);
          len -= piece.length;
          while (piece.length > 0) {
            piece = piece.subarray(batch.put(piece));
            if (batch.full) yield batch.take()!;
          }
        }
        continue;
      }
      const wp = 1 << ((op - 0x45) >> 2), wl = 1 << ((op - 0x45) & 3);
      if (!(r.has(wp + wl) || (await r.fill(wp + wl)))) throw truncated(r, "COPY parameters", at);
      let pos = r.uint(wp);
      let len = r.uint(wl);
      if (pos + len > src.size) {
        throw new DeltaFormatError(
          `Corrupt delta: COPY of ${len} bytes at position ${pos} runs past the basis end (${src.size} bytes), offset ${at}`,
        );
      }
      while (len > 0) {
        const n = Math.min(len, CACHE);
        const got = src.read(pos, n);
        let piece = got instanceof Uint8Array ? got : await got;
        pos += n;
        len -= n;
        while (piece.length > 0) {
          piece = piece.subarray(batch.put(piece));
          if (batch.full) yield batch.take()!;
        }
      }
    }
    if (r.has(1) || (await r.fill(1))) throw new DeltaFormatError(`Corrupt delta: unexpected data after END at offset ${r.offset}`);
    const last = batch.take();
    if (last) yield last;
  } finally {
    await src.close();
    await r.close();
  }
}

function truncated(r: DeltaReader, what: string, at: number): DeltaFormatError {
  return new DeltaFormatError(`Corrupt delta: truncated in ${what} of the command at offset ${at} (delta ends at ${r.offset})`);
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, "0");
}

/** Applies `delta` to the basis and writes the result to `outPath`; returns the bytes written. */
export async function patchToFile(basis: DeltaBasis, delta: AsyncIterable<Uint8Array>, outPath: string): Promise<number> {
  let bytes = 0;
  const counted = async function* () {
    for await (const chunk of applyDelta(basis, delta)) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  await pipeline(Readable.from(counted()), createWriteStream(outPath));
  return bytes;
}
