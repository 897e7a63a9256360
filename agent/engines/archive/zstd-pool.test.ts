// Persistent zstd compressors: every block becomes one independent frame that the real zstd decompresses
// back to the block, in order, across process roll-overs; a zstd that fails rejects instead of hanging.
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZstdPool } from "./zstd-pool";

/** Live zstd processes started (through the watchdog shell) by process `ppid`; zombies left out. */
function liveZstdUnder(ppid: number): string[] {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,stat=,comm="]).toString().split("\n").map((l) => l.trim().split(/\s+/));
  const shells = new Set(rows.filter(([, pp]) => pp === String(ppid)).map(([p]) => p));
  return rows.filter(([, pp, stat, comm]) => shells.has(pp) && comm === "zstd" && !stat?.startsWith("Z")).map(([p]) => p);
}

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
      pid = liveZstdUnder(process.pid)[0] ?? "";
    }
    expect(pid).not.toBe("");
    process.kill(Number(pid), "SIGKILL");
    await expect(first).rejects.toThrow(/zstd stopped (\(exit 137\)|while a block was being written)/);
    await expect(pool.compress([Buffer.from("after")])).rejects.toThrow(/zstd stopped/);
    await pool.close();
  }, 30_000);

  it("a zstd whose Node process died does not wait on its next pipe forever", async () => {
    const script = `import { ZstdPool } from ${JSON.stringify(path.join(import.meta.dirname, "zstd-pool.ts"))};
const pool = new ZstdPool(1);
await pool.compress([Buffer.from("one block")]);
process.stdout.write("ready\\n");
setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`helper exited ${code}`)));
    });
    const zstd = liveZstdUnder(child.pid!);
    expect(zstd).toHaveLength(1);
    const pipeDir = path.dirname(/\s--\s(\S+)/.exec(execFileSync("ps", ["-o", "args=", "-p", zstd[0]], { encoding: "utf8" }))![1]);
    expect(existsSync(pipeDir)).toBe(true);
    child.kill("SIGKILL");
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        alive = !execFileSync("ps", ["-o", "stat=", "-p", zstd[0]], { encoding: "utf8" }).trim().startsWith("Z");
      } catch {
        alive = false; // ps exits 1: no such process
      }
    }
    expect(alive).toBe(false);
    for (let i = 0; i < 40 && existsSync(pipeDir); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(pipeDir)).toBe(false);
  }, 30_000);
});
