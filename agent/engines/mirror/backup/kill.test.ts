// Crash safety: a backup SIGKILLed at many different writes leaves a repository that the next Strata run
// (or the real `rdiff-backup regress`) returns to the last complete session; nothing earlier is lost.
import { execFileSync } from "node:child_process";
import { promises as fsp, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, bytes, lines, mutate, session1 } from "./scenario";
import { manifestDiff, manifestOf, rdiffBackup, restoreWithRdiff, runAgent, type Manifest } from "./testing";

const T0 = 1_710_000_000;
const timeOf = (n: number) => T0 + (n - 1) * 3600;
let tmp: string;
let src: string;
let pristine: string;
const manifests = new Map<number, Manifest>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "strata-kill-"));
  src = path.join(tmp, "src");
  pristine = path.join(tmp, "pristine");
  await fsp.mkdir(src);
  await session1(src, T0 - 5000);
  for (let n = 1; n <= 2; n++) {
    if (n > 1) await mutate(src, n, T0 + n * 100);
    const r = await runAgent(["backup", "--current-time", String(timeOf(n)), src, pristine]);
    expect(r.code, r.stderr).toBe(0);
    manifests.set(n, await manifestOf(src));
  }
  await mutate(src, 3, T0 + 300);
  for (let i = 0; i < 30; i++) await fsp.writeFile(at(src, `many-${i}.txt`), lines(50, String(i)));
  await fsp.writeFile(at(src, "big.txt"), Buffer.concat([bytes(5, 300_000)]));
  manifests.set(3, await manifestOf(src));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function killedRun(repo: string, n: number, killAt: number) {
  return runAgent(["backup", "--current-time", String(timeOf(n)), src, repo], { STRATA_TEST_KILL_AFTER_WRITES: String(killAt) });
}

async function expectRestores(repo: string, sessions: number[], label: string): Promise<void> {
  for (const n of sessions) {
    const restored = await restoreWithRdiff(repo, n === 3 ? timeOf(3) + 1 : timeOf(n), path.join(tmp, "out"));
    expect(manifestDiff(manifests.get(n)!, restored), `${label}: session ${n}`).toEqual([]);
  }
}

describe("a backup killed at any write", () => {
  it("is regressed by the next run and every session restores with rdiff-backup", async () => {
    const probe = path.join(tmp, "probe");
    execFileSync("cp", ["-a", pristine, probe]);
    const countFile = path.join(tmp, "count");
    const full = await runAgent(["backup", "--current-time", String(timeOf(3)), src, probe], { STRATA_TEST_WRITE_COUNT_FILE: countFile });
    expect(full.code, full.stderr).toBe(0);
    const total = Number(readFileSync(countFile, "utf8"));
    expect(total).toBeGreaterThan(50);
    const fractions = [0.15, 0.3, 0.45, 0.6, 0.75, 0.9].map((f) => Math.max(1, Math.floor(total * f)));
    const points = [...new Set([1, 3, 8, 21, ...fractions, total - 1])];
    for (const [i, k] of points.entries()) {
      const repo = path.join(tmp, `k${k}`);
      execFileSync("cp", ["-a", pristine, repo]);
      const killed = await killedRun(repo, 3, k);
      expect(killed.signal, `kill at ${k} of ${total}`).toBe("SIGKILL");
      if (i % 3 === 2) {
        const r = await rdiffBackup(["regress", repo]);
        expect([0, 2], `rdiff-backup regress after kill at ${k}: ${r.stderr}`).toContain(r.code);
        await expectRestores(repo, [2], `rdiff-backup regress after kill at ${k}`);
      }
      const again = await runAgent(["backup", "--current-time", String(timeOf(3) + 1), src, repo]);
      expect(again.code, `backup after kill at ${k}: ${again.stderr}`).toBe(0);
      await expectRestores(repo, i % 3 === 1 ? [1, 2] : [2], `kill at ${k}`);
      if (i % 4 === 0) await expectRestores(repo, [3], `kill at ${k}`);
      await rm(repo, { recursive: true, force: true });
    }
  }, 240_000);

  it("during the first session, starts over on the next run", async () => {
    const repo = path.join(tmp, "first");
    const killed = await runAgent(["backup", "--current-time", String(timeOf(1)), src, repo], { STRATA_TEST_KILL_AFTER_WRITES: "40" });
    expect(killed.signal).toBe("SIGKILL");
    const again = await runAgent(["backup", "--current-time", String(timeOf(1)), src, repo]);
    expect(again.code, again.stderr).toBe(0);
    const restored = await restoreWithRdiff(repo, timeOf(1), path.join(tmp, "out-first"));
    expect(manifestDiff(manifests.get(3)!, restored)).toEqual([]);
  });
});
