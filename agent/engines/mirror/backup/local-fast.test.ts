// The synchronous local-source path must write exactly what the async Source interface writes: the same
// tree is backed up for 4 sessions through the local Source (fast path) and through a pass-through wrapper
// (async path); mirrors, increments and metadata must be identical, and rdiff-backup restores both.
import { promises as fsp } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalSource } from "@/agent/sources/local";
import { faultySource } from "@/agent/sources/faulty";
import { backupSession } from "./session";
import { fastLocalOf } from "./local-fast";
import { mutate, session1 } from "./scenario";
import { manifestDiff, manifestOf, restoreWithRdiff } from "./testing";

const T0 = 1_720_000_000;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "strata-fast-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every file of a repository's data dir that must match (time-stamped logs and statistics excepted). */
async function dataFiles(repo: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (dir: Buffer, rel: string): Promise<void> => {
    for (const name of (await fsp.readdir(dir, { encoding: "buffer" })) as Buffer[]) {
      const p = Buffer.concat([dir, Buffer.from("/"), name]);
      const r = `${rel}/${name.toString("latin1")}`;
      const st = await fsp.lstat(p);
      if (st.isDirectory()) await walk(p, r);
      else if (/^(session_statistics|backup\.log|error_log|file_statistics)/.test(name.toString("latin1"))) continue;
      else if (st.isFile()) out.set(r, r.endsWith(".gz") ? gunzipSync(await fsp.readFile(p)) : await fsp.readFile(p));
      else out.set(r, st.isSymbolicLink() ? Buffer.concat([Buffer.from("link:"), (await fsp.readlink(p, { encoding: "buffer" })) as Buffer]) : Buffer.from("special"));
    }
  };
  await walk(Buffer.from(path.join(repo, "rdiff-backup-data")), "");
  return out;
}

describe("synchronous local-source path", () => {
  it("is taken only for the local Source itself, not for wrappers", async () => {
    const dir = path.join(tmp, "probe");
    await fsp.mkdir(dir);
    const local = await openLocalSource(dir);
    expect(await fastLocalOf(local)).toBeDefined();
    expect(await fastLocalOf(faultySource(local, {}))).toBeUndefined();
  });

  it("writes the same repository as the async Source interface, session after session", async () => {
    const src = path.join(tmp, "src");
    await fsp.mkdir(src);
    await session1(src, T0 - 5000);
    const fastRepo = path.join(tmp, "fast"), slowRepo = path.join(tmp, "slow");
    const trees = [];
    for (let n = 1; n <= 4; n++) {
      if (n > 1) await mutate(src, n, T0 + n * 100);
      const time = T0 + n * 3600;
      const fast = await backupSession({ source: await openLocalSource(src), repo: fastRepo, currentTime: time });
      const slow = await backupSession({ source: faultySource(await openLocalSource(src), {}), repo: slowRepo, currentTime: time });
      expect(fast.stats).toEqual(slow.stats);
      expect(manifestDiff(await manifestOf(slowRepo), await manifestOf(fastRepo))).toEqual([]);
      // Directories and .missing markers get the time they were made; everything else must match exactly.
      const incs = async (repo: string) => {
        const m = await manifestOf(path.join(repo, "rdiff-backup-data/increments"));
        for (const [k, e] of m) if (e.type === "dir" || Buffer.from(k, "hex").toString("latin1").endsWith(".missing")) m.set(k, { ...e, mtime: 0 });
        return m;
      };
      expect(manifestDiff(await incs(slowRepo), await incs(fastRepo))).toEqual([]);
      const [a, b] = [await dataFiles(fastRepo), await dataFiles(slowRepo)];
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [k, v] of b) expect(a.get(k)?.equals(v), k).toBe(true);
      trees.push(await manifestOf(src));
    }
    for (let n = 1; n <= 4; n++) {
      const restored = await restoreWithRdiff(fastRepo, T0 + n * 3600, path.join(tmp, `out-${n}`));
      expect(manifestDiff(trees[n - 1], restored), `session ${n}`).toEqual([]);
    }
  });
});
