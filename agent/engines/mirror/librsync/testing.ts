// Test helpers for the delta engine: the real `rdiff` binary, temp dirs, deterministic data, stream plumbing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const RDIFF = "/usr/bin/rdiff";

/** Runs the real librsync `rdiff`; fails loudly when it is not installed (Debian package "rdiff"). */
export function rdiff(...args: string[]): Buffer {
  if (!existsSync(RDIFF)) throw new Error(`The "rdiff" tool is required by this test: install the Debian package "rdiff"`);
  return execFileSync(RDIFF, args, { maxBuffer: 1 << 30 });
}

export function makeTempDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "strata-librsync-"));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes (xorshift32) so failures reproduce. */
export function prngBytes(len: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Yields `buf` in pieces of `size` bytes (1 to stress chunk boundaries). */
export async function* chunked(buf: Uint8Array, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield Buffer.from(buf.subarray(i, i + size));
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** A readable description of a delta's commands, for asserting on the encoding. */
export function decodeCommands(delta: Buffer): string[] {
  const cmds: string[] = [];
  let p = 4;
  const uint = (w: number): number => {
    const v = w === 8 ? delta.readUInt32BE(p) * 2 ** 32 + delta.readUInt32BE(p + 4) : delta.readUIntBE(p, w);
    p += w;
    return v;
  };
  for (;;) {
    const op = delta[p++];
    if (op === 0) return [...cmds, "END"];
    if (op <= 0x40) { cmds.push(`LITERAL ${op}`); p += op; }
    else if (op <= 0x44) { const w = 1 << (op - 0x41); const n = uint(w); cmds.push(`LITERAL_N${w} ${n}`); p += n; }
    else {
      const wp = 1 << ((op - 0x45) >> 2), wl = 1 << ((op - 0x45) & 3);
      cmds.push(`COPY_N${wp}_N${wl} ${uint(wp)}+${uint(wl)}`);
    }
  }
}
