// Persistent zstd compressors: every block becomes one independent frame that the real zstd decompresses
// back to the block, in order, across process roll-overs; a zstd that fails rejects instead of hanging.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZstdPool } from "./zstd-pool";

const unzstd = (b: Buffer) => execFileSync("zstd", ["-dc", "-q"], { input: b, maxBuffer: 1 << 28 });
const pipesLeft = () => readdirSync("/dev/shm").filter((n) => n.startsWith("strata-zstd-")).length;

describe("ZstdPool", () => {
  it("compresses 1,100 blocks (two process roll-overs per worker) into frames that each decompress to their block", async () => {
    const before = pipesLeft();
    const pool = new ZstdPool(2);
    const blocks = Array.from({ length: 1100 }, (_, i) => (i % 3 === 0 ? randomBytes(1000 + i) : Buffer.from(`block ${i} `.repeat(50 + i))));
    const frames = (await Promise.all(blocks.map((b) => pool.compress(b.length > 10 ? [b.subarray(0, 7), b.subarray(7)] : [b])))).map((f) => Buffer.concat(f));
    await pool.close();
    for (const i of [0, 1, 2, 511, 512, 513, 1023, 1024, 1099]) expect(unzstd(frames[i]).equals(blocks[i]), `block ${i}`).toBe(true);
    // The concatenation is one valid .zst stream of everything, in order.
    expect(unzstd(Buffer.concat(frames)).equals(Buffer.concat(blocks))).toBe(true);
    expect(pipesLeft()).toBe(before);
  }, 60_000);

  it("an empty block and a 4 MiB block", async () => {
    const pool = new ZstdPool(1);
    const big = randomBytes(4 << 20);
    const [a, b] = (await Promise.all([pool.compress([Buffer.alloc(0)]), pool.compress([big])])).map((f) => Buffer.concat(f));
    await pool.close();
    expect(unzstd(a).length).toBe(0);
    expect(unzstd(b).equals(big)).toBe(true);
  }, 30_000);

  it("a zstd killed mid-block rejects that block with a clear message, later blocks too, and close() does not hang", async () => {
    const pool = new ZstdPool(1, 19);
    const first = pool.compress([randomBytes(64 << 20)]);
    let pid = "";
    for (let i = 0; i < 200 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 20));
      // A live zstd of this process (earlier pools' killed ones may still show as zombies).
      const ps = execFileSync("ps", ["-o", "pid=,stat=,comm=", "--ppid", String(process.pid)]).toString();
      pid = ps.split("\n").map((l) => l.trim().split(/\s+/)).find(([, stat, comm]) => comm === "zstd" && !stat.startsWith("Z"))?.[0] ?? "";
    }
    expect(pid).not.toBe("");
    process.kill(Number(pid), "SIGKILL");
    await expect(first).rejects.toThrow(/zstd stopped (\(SIGKILL\)|while a block was being written)/);
    await expect(pool.compress([Buffer.from("after")])).rejects.toThrow(/zstd stopped/);
    await pool.close();
  }, 30_000);
});
