// Session behaviour around the tree pass: change sets, unreadable files, bad targets, the lock, regress
// of a failed session, and a full disk.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fsp, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeSetEntry, changeSetHeader, type ChangeSetEntry } from "@/lib/schemas/change-set";
import { faultySource } from "@/agent/sources/faulty";
import { openLocalSource } from "@/agent/sources/local";
import { acquireLock } from "../lock";
import { regressRepository } from "../regress/regress";
import { backupSession } from "./session";
import { bytes } from "./scenario";
import { manifestDiff, manifestOf, rdiffBackup, restoreWithRdiff, runAgent } from "./testing";

const T = 1_720_000_000;
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "strata-session-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function tree(name: string, files: Record<string, string>): Promise<string> {
  const root = path.join(tmp, name);
  for (const [rel, data] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fsp.writeFile(path.join(root, rel), data);
    await fsp.utimes(path.join(root, rel), T - 100, T - 100);
  }
  return root;
}

describe("backup session", () => {
  it("emits the change set through onChange and as NDJSON with a header line", async () => {
    const src = await tree("cs-src", { "a.txt": "a", "gone.txt": "g", "d/keep.txt": "k" });
    const repo = path.join(tmp, "cs-repo");
    await backupSession({ source: await openLocalSource(src), repo, currentTime: T });
    await fsp.writeFile(path.join(src, "a.txt"), "a changed");
    await fsp.rm(path.join(src, "gone.txt"));
    await fsp.writeFile(path.join(src, "new.txt"), "n");
    await fsp.link(path.join(src, "new.txt"), path.join(src, "new-link.txt"));
    const seen: ChangeSetEntry[] = [];
    const file = path.join(tmp, "cs.ndjson");
    const r = await backupSession({
      source: await openLocalSource(src), repo, currentTime: T + 10, changeSetFile: file,
      callbacks: { onChange: (e) => seen.push(e) },
    });
    expect(r.stats).toMatchObject({ newFiles: 2, deletedFiles: 1, errors: 0 });
    const [head, ...rest] = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(changeSetHeader.parse(head)).toEqual({ v: 1, kind: "header", format: "mirror", time: T + 10, previousTime: T });
    const entries = rest.map((e) => changeSetEntry.parse(e));
    expect(entries).toEqual(seen);
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    expect(byPath["a.txt"]).toMatchObject({ change: "changed", type: "file", size: 9, sha1: createHash("sha1").update("a changed").digest("hex") });
    expect(byPath["gone.txt"]).toMatchObject({ change: "deleted", type: "file", size: 1 });
    expect(byPath["new.txt"]).toMatchObject({ change: "new", type: "file", size: 1 });
    expect(byPath["d/keep.txt"]).toBeUndefined();
    for (const p of ["new-link.txt", "new.txt"]) {
      expect(byPath[p], p).toMatchObject({ change: "new", sha1: createHash("sha1").update("n").digest("hex") });
    }
  });

  it("logs unreadable files to error_log, goes on, and ends partial", async () => {
    const src = await tree("err-src", { "ok.txt": "fine", "secret.txt": "no", "mid.bin": bytes(3, 300_000).toString("latin1") });
    const repo = path.join(tmp, "err-repo");
    const source = faultySource(await openLocalSource(src), {
      deny: new Map([["secret.txt", "EACCES"]]),
      failReadAfter: new Map([["mid.bin", 100_000]]),
    });
    const errors: string[] = [];
    const r = await backupSession({ source, repo, currentTime: T, callbacks: { onItemError: (p) => errors.push(p) } });
    expect(r.status).toBe("partial");
    expect(r.stats.errors).toBe(2);
    expect(errors.sort()).toEqual(["mid.bin", "secret.txt"]);
    const data = path.join(repo, "rdiff-backup-data");
    const log = (await fsp.readdir(data)).find((n) => n.startsWith("error_log."));
    expect(log).toMatch(/\.data\.gz$/);
    const text = execFileSync("zcat", [path.join(data, log!)]).toString();
    expect(text).toMatch(/^UpdateError: 'mid.bin' /m);
    expect(text).toMatch(/^UpdateError: 'secret.txt' .*EACCES/m);
    expect(await fsp.readFile(path.join(repo, "ok.txt"), "utf8")).toBe("fine");
    expect((await fsp.readdir(repo)).sort()).toEqual(["ok.txt", "rdiff-backup-data"]);
    expect((await rdiffBackup(["verify", repo])).code).toBe(0);
  });

  it("refuses a missing source and leaves the repository untouched", async () => {
    const repo = path.join(tmp, "missing-repo");
    const r = await runAgent(["backup", path.join(tmp, "no-such-dir"), repo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot open source ".*no-such-dir": no such file or directory/);
    await expect(fsp.stat(repo)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a non-empty target that is not a repository unless --force", async () => {
    const src = await tree("force-src", { "a.txt": "a" });
    const target = await tree("force-target", { "precious.txt": "keep me" });
    const refused = await runAgent(["backup", src, target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty and not an rdiff-backup repository \(use --force/);
    expect(await fsp.readdir(target)).toEqual(["precious.txt"]);
    const forced = await runAgent(["backup", "--force", "--current-time", String(T), src, target]);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await fsp.readdir(target)).sort()).toEqual(["a.txt", "rdiff-backup-data"]);
  });

  it("refuses a second backup while one holds the lock, and takes over a stale lock", async () => {
    const src = await tree("lock-src", { "a.txt": "a" });
    const repo = path.join(tmp, "lock-repo");
    await backupSession({ source: await openLocalSource(src), repo, currentTime: T });
    const lock = await acquireLock(repo, path.join(repo, "rdiff-backup-data"));
    const blocked = await runAgent(["backup", "--current-time", String(T + 1), src, repo]);
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toMatch(/another session \(process \d+\) is writing it/);
    await lock.release();
    const dead = spawnSync("true").pid;
    await fsp.writeFile(path.join(repo, "rdiff-backup-data/strata.lock"), `PID ${dead}\n`);
    const r = await runAgent(["backup", "--current-time", String(T + 2), src, repo]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("regress (strata-agent regress) undoes a session that did not finish", async () => {
    const src = await tree("reg-src", { "a.txt": "v1", "b.txt": "b" });
    const repo = path.join(tmp, "reg-repo");
    await backupSession({ source: await openLocalSource(src), repo, currentTime: T });
    const before = await manifestOf(repo);
    await fsp.writeFile(path.join(src, "a.txt"), "v2 is longer");
    await fsp.writeFile(path.join(src, "c.txt"), "new");
    const killed = await runAgent(["backup", "--current-time", String(T + 60), src, repo], { STRATA_TEST_KILL_AFTER_WRITES: "12" });
    expect(killed.signal).toBe("SIGKILL");
    const r = await runAgent(["regress", repo]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Regressed/);
    expect(manifestDiff(before, await manifestOf(repo))).toEqual([]);
    expect((await fsp.readdir(path.join(repo, "rdiff-backup-data"))).filter((n) => n.startsWith("current_mirror."))).toHaveLength(1);
    expect((await regressRepository(repo)).regressed).toBe(false);
    expect((await rdiffBackup(["verify", repo])).code).toBe(0);
  });
});

describe("cancellation", () => {
  it("aborts through the signal and leaves the repository at the previous session", async () => {
    const src = await tree("abort-src", Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.txt`, `v1 ${i}`])));
    const repo = path.join(tmp, "abort-repo");
    await backupSession({ source: await openLocalSource(src), repo, currentTime: T });
    const before = await manifestOf(repo);
    for (let i = 0; i < 40; i++) await fsp.writeFile(path.join(src, `f${i}.txt`), `v2 ${i}`);
    const ac = new AbortController();
    const run = backupSession({
      source: await openLocalSource(src), repo, currentTime: T + 60,
      callbacks: { signal: ac.signal, onChange: () => ac.abort() },
    });
    await expect(run).rejects.toMatchObject({ kind: "cancelled", message: expect.stringMatching(/returned to the previous session/) });
    expect(manifestDiff(before, await manifestOf(repo))).toEqual([]);
    expect((await fsp.readdir(path.join(repo, "rdiff-backup-data"))).filter((n) => n.startsWith("current_mirror."))).toHaveLength(1);
  });
});

describe("metadata chain", () => {
  it("keeps a snapshot after 8 reverse diffs, as rdiff-backup does, and every session restores", async () => {
    const src = await tree("chain-src", { "f.txt": "v0" });
    const repo = path.join(tmp, "chain-repo");
    const manifests = [];
    for (let n = 1; n <= 12; n++) {
      await fsp.writeFile(path.join(src, "f.txt"), `version ${n}`);
      await fsp.utimes(path.join(src, "f.txt"), T + n, T + n);
      await backupSession({ source: await openLocalSource(src), repo, currentTime: T + n * 3600 });
      manifests.push(await manifestOf(src));
    }
    const kinds = (await fsp.readdir(path.join(repo, "rdiff-backup-data")))
      .filter((n) => n.startsWith("mirror_metadata."))
      .sort()
      .map((n) => (n.includes(".snapshot") ? "S" : "d"));
    expect(kinds.join("")).toBe("ddddddddSddS");
    for (const n of [1, 9, 10]) {
      const restored = await restoreWithRdiff(repo, T + n * 3600, path.join(tmp, "chain-out"));
      expect(manifestDiff(manifests[n - 1], restored), `session ${n}`).toEqual([]);
    }
  });
});

describe("a full disk", () => {
  let mnt: string;
  beforeAll(async () => {
    mnt = path.join(tmp, "small");
    await fsp.mkdir(mnt);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt]);
  });
  afterAll(() => {
    spawnSync("umount", [mnt]);
  });

  it("fails with a clear message and returns the repository to the previous session", async () => {
    const src = await tree("full-src", { "a.txt": "small", "b.txt": "b" });
    const repo = path.join(mnt, "repo");
    await backupSession({ source: await openLocalSource(src), repo, currentTime: T });
    const s1 = await manifestOf(src);
    await fsp.writeFile(path.join(src, "a.txt"), "small but changed");
    await fsp.writeFile(path.join(src, "huge.bin"), bytes(7, 3_000_000));
    const r = await runAgent(["backup", "--current-time", String(T + 60), src, repo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot back up into ".*repo": no space left on device; the repository was returned to the previous session/);
    const names = await fsp.readdir(path.join(repo, "rdiff-backup-data"));
    expect(names.filter((n) => n.startsWith("current_mirror."))).toHaveLength(1);
    expect(await fsp.readFile(path.join(repo, "a.txt"), "utf8")).toBe("small");
    const restored = await restoreWithRdiff(repo, T, path.join(tmp, "full-out"));
    expect(manifestDiff(s1, restored)).toEqual([]);
  });
});
