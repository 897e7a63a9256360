// zstd blocks in batches: one `zstd` process compresses several blocks (each handed over as its own
// temporary file in memory-backed /dev/shm when available, so each becomes an independent frame), and
// the output is split back into frames by walking the zstd frame format. Saves a process per block.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const SCRATCH = (() => {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
})();

const MAGIC = 0xfd2fb528;

/** Length of the zstd frame (or skippable frame) starting at `off` of `buf`. */
export function zstdFrameLength(buf: Buffer, off: number): number {
  const magic = buf.readUInt32LE(off);
  if ((magic & 0xfffffff0) === 0x184d2a50) return 8 + buf.readUInt32LE(off + 4);
  if (magic !== MAGIC) throw new Error(`not a zstd frame at offset ${off}`);
  const fhd = buf[off + 4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const dictSize = [0, 1, 2, 4][fhd & 3];
  const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  let p = off + 5 + (single ? 0 : 1) + dictSize + fcsSize;
  for (;;) {
    const h = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16);
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    p += 3 + (type === 1 ? 1 : size);
    if (p > buf.length) throw new Error(`truncated zstd frame at offset ${off}`);
    if (last) break;
  }
  return p + (checksum ? 4 : 0) - off;
}

/** Compresses each buffer into its own zstd frame with a single `zstd` process. */
export async function zstdCompressBatch(bufs: Buffer[], level = 3): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(SCRATCH, "strata-zstd-"));
  try {
    const files = bufs.map((_, i) => path.join(dir, String(i)));
    await Promise.all(bufs.map((b, i) => writeFile(files[i], b)));
    return splitFrames(await runZstd(["-q", "-c", `-${level}`, "--", ...files]), bufs.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runZstd(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("zstd", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (e) => reject(new Error(`Cannot run "zstd": ${e.message}`, { cause: e })));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`zstd failed (exit ${code}): ${err.trim() || "no message"}`));
    });
  });
}

function splitFrames(all: Buffer, expected: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let off = 0; off < all.length; ) {
    const len = zstdFrameLength(all, off);
    frames.push(all.subarray(off, off + len));
    off += len;
  }
  if (frames.length !== expected) throw new Error(`zstd wrote ${frames.length} frames for ${expected} blocks`);
  return frames;
}
