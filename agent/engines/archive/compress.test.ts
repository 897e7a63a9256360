import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { compressToFile } from "./atomic-file";
import { decompressBlocks } from "./compress";
import type { Compression } from "./naming";
import { sh, tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

/** 3.5 blocks of half-compressible data. */
function payload(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 7; i++) parts.push(i % 2 ? randomBytes(64 * 1024) : Buffer.alloc(64 * 1024, i));
  return Buffer.concat(parts);
}

const TOOLS: Record<Exclude<Compression, "none">, string[]> = {
  gzip: ["gzip", "-dc"],
  bzip2: ["bzip2", "-dc"],
  xz: ["xz", "-dc"],
  zstd: ["zstd", "-dc"],
};

describe("block compressor", () => {
  for (const c of ["gzip", "bzip2", "xz", "zstd"] as const) {
    it(`writes independent ${c} blocks that the standard tool reads as one file, with a block table`, async () => {
      const t = tempDir("compress");
      cleanup = t.cleanup;
      const data = payload();
      const file = path.join(t.dir, `out.${c}`);
      const res = await compressToFile(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), file, {
        compression: c,
        blockSize: 128 * 1024,
      });
      expect(res.bytesIn).toBe(data.length);
      expect(res.blocks.map((b) => b.u)).toEqual([0, 1, 2, 3].map((i) => i * 128 * 1024));
      const whole = readFileSync(file);
      // The digests the hash worker read back from the file are those of the file's bytes.
      expect([res.md5, res.sha256]).toEqual([createHash("md5").update(whole).digest("hex"), createHash("sha256").update(whole).digest("hex")]);
      expect(sh(["sh", "-c", `${TOOLS[c].join(" ")} < "$0" | sha256sum`, file])).toBe(
        sh(["sha256sum"], { input: data }),
      );
      const third = res.blocks[2];
      const block = await decompressBlocks(c, whole.subarray(third.c, res.blocks[3].c));
      expect(block.equals(data.subarray(third.u, third.u + 128 * 1024))).toBe(true);
    });
  }

  it("gives identical bytes for identical gzip input (no name, no mtime)", async () => {
    const t = tempDir("compress");
    cleanup = t.cleanup;
    const data = payload();
    for (const n of ["a.gz", "b.gz"]) {
      await compressToFile(Readable.from([data]), path.join(t.dir, n), { compression: "gzip" });
    }
    expect(readFileSync(path.join(t.dir, "a.gz")).equals(readFileSync(path.join(t.dir, "b.gz")))).toBe(true);
    expect(readFileSync(path.join(t.dir, "a.gz")).subarray(4, 8).readUInt32LE(0)).toBe(0);
    sh(["gzip", "-t", path.join(t.dir, "a.gz")]);
  });

  it("leaves nothing behind when the producer fails after writing", async () => {
    const t = tempDir("compress");
    cleanup = t.cleanup;
    const file = path.join(t.dir, "dump.sql.gz");
    const err = await compressToFile(Readable.from([Buffer.from("partial")]), file, {
      compression: "gzip",
      check: async () => {
        throw new Error("mysqldump exited 2");
      },
    }).then(() => new Error("no error"), (e: unknown) => e as Error);
    expect(err.message).toBe('Cannot write "dump.sql.gz": mysqldump exited 2');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(t.dir)).toEqual([]);
  });

  it("keeps the whole output of a command that exits before the file is open", async () => {
    const t = tempDir("compress");
    cleanup = t.cleanup;
    for (let i = 0; i < 20; i++) {
      const child = spawn("printf", [`run ${i}`]);
      const exited = new Promise((r) => child.on("close", r));
      const file = path.join(t.dir, `out-${i}.gz`);
      await compressToFile(child.stdout, file, { compression: "gzip", check: async () => void (await exited) });
      expect(sh(["gzip", "-dc", file])).toBe(`run ${i}`);
    }
  });
});
