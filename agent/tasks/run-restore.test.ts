// Restore runs to a local host: from archive repositories (one Strata wrote, tar.zst with index sidecars over
// several days incl. a deleted file and a renamed folder, and the one the real backup-manager wrote) each day's
// tree equals what GNU tar extracts from that day's chain (bytes, links, modes, times); single files, refusal to
// overwrite (partial), cancel, and raw names: a mirror file named with byte 0xff restored by its exact bytes.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDay } from "../engines/archive/naming";
import { parseRepoArchive } from "../engines/archive/repository-read";
import { runTarballMethod } from "../engines/archive/tarball";
import { extractFixture, tempDir } from "../engines/archive/test-helpers";
import { startTestSshd } from "../engines/archive/upload/test-sshd";
import { sshTestHost } from "../sources/ssh/test-host";
import { rdiffBackup, requireRdiffBackup } from "../engines/mirror/read/test-rdiff";
import { RunSpool } from "../daemon/run-spool";
import type { HostConnection, RestoreParams } from "@/lib/schemas/agent-protocol";
import { runRestoreTask } from "./run-restore";
import { queueRun } from "./test-jobs";
import type { RunRecorder } from "./types";

const tmp = tempDir("restore-task");
const stateDir = path.join(tmp.dir, "state");
const roots = [path.join(tmp.dir, "repos")];
const host: HostConnection = { id: "00000000-0000-4000-8000-0000000000a1", name: "here", address: "local", port: 22, user: "root", hostKeyFingerprint: null, local: true };
let spool: RunSpool;

beforeAll(async () => {
  mkdirSync(roots[0], { recursive: true });
  mkdirSync(stateDir);
  spool = new RunSpool(stateDir);
  await spool.load();
});
afterAll(() => tmp.cleanup());

interface RestoreOptions {
  signal?: AbortSignal;
  on?: { host: HostConnection; stateDir: string };
  /** Called with each progress report. */
  onProgress?: (p: { items: number }) => void;
}

async function restore(params: Omit<RestoreParams, "hostId">, opts: RestoreOptions = {}) {
  const runId = await queueRun(spool, null, "restore");
  const on = opts.on ?? { host, stateDir };
  const inner = spool.recorder(runId);
  const progress: { items: number }[] = [];
  const recorder: RunRecorder = {
    runId,
    changeSetPath: inner.changeSetPath,
    log: (l) => inner.log(l),
    progress: (p) => {
      progress.push(p);
      opts.onProgress?.(p);
      inner.progress(p);
    },
    update: (u) => inner.update(u),
    changeSet: (c) => inner.changeSet(c),
    removed: (r, t) => inner.removed(r, t),
    finish: (o) => inner.finish(o),
  };
  const outcome = await runRestoreTask({ runId, params: { ...params, hostId: on.host.id }, host: on.host, repositoryRoots: roots, recorder, signal: opts.signal ?? new AbortController().signal, stateDir: on.stateDir });
  return { outcome, progress, log: await spool.readLog(runId, 0, 10_000) };
}

/** A tree as path → description: folders with mode and time, links with target, files with bytes, mode and time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      const mtime = Math.floor(st.mtimeMs / 1000);
      if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = `dir:${mode}`;
        walk(p, r);
      } else out[r] = `file:${mode}:${mtime}:${readFileSync(p).toString("latin1")}`;
    }
  };
  walk(dir, "");
  return out;
}

/** What GNU tar extracts for `day`: the series' last master at or before it, then its incrementals, in order. */
function gnuTarDay(repo: string, day: string, into: string): void {
  const archives = readdirSync(repo)
    .map((n) => parseRepoArchive(n))
    .filter((a) => a && !a.file && a.day <= day)
    .sort((a, b) => a!.day.localeCompare(b!.day) || Number(b!.master) - Number(a!.master));
  const from = archives.map((a) => a!.master).lastIndexOf(true);
  mkdirSync(into, { recursive: true });
  for (const a of archives.slice(from)) execFileSync("tar", ["-x", "--warning=no-timestamp", "--listed-incremental=/dev/null", "-f", path.join(repo, a!.name), "-C", into]);
}

const dayTime = (day: string) => Math.floor(parseDay(day).getTime() / 1000);

describe("restore from an archive repository written by Strata (tar.zst with index sidecars)", () => {
  const repoDir = path.join(roots[0], "h1/files");
  const src = path.join(tmp.dir, "src");
  const base = src.slice(1);
  const days = ["20270301", "20270302", "20270303"];

  beforeAll(async () => {
    mkdirSync(path.join(src, "docs"), { recursive: true });
    mkdirSync(repoDir, { recursive: true });
    const run = (day: string) =>
      runTarballMethod(
        { repository: repoDir, prefix: "h", now: parseDay(day), permissions: {}, purgeDuplicates: false, callbacks: {}, blockSize: 64 * 1024 },
        { targets: [src], nameFormat: "long", fileType: "tar.zst", blacklist: [], dumpSymlinks: false, incremental: { frequency: "weekly", value: 1 } },
      );
    const old = (p: string, t: number) => utimesSync(p, t, t);
    writeFileSync(path.join(src, "docs/readme.txt"), "read me v1\n", { mode: 0o640 });
    old(path.join(src, "docs/readme.txt"), 1_700_000_000);
    writeFileSync(path.join(src, "big.bin"), Buffer.alloc(300_000, 7));
    writeFileSync(path.join(src, "gone.txt"), "to be deleted\n");
    writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o750 });
    symlinkSync("docs/readme.txt", path.join(src, "link"));
    await run(days[0]);
    writeFileSync(path.join(src, "docs/readme.txt"), "read me v2\n");
    unlinkSync(path.join(src, "gone.txt"));
    await run(days[1]);
    renameSync(path.join(src, "docs"), path.join(src, "papers"));
    writeFileSync(path.join(src, "new.txt"), "new\n");
    await run(days[2]);
  }, 60_000);

  it("each day's folder equals what GNU tar extracts for that day (bytes, links, modes, times; the deleted file gone)", async () => {
    for (const day of days) {
      const target = path.join(tmp.dir, `strata-restored-${day}`);
      const { outcome, log } = await restore({ repositoryPath: "h1/files", format: "archive", path: base, at: dayTime(day) + 3600, target, overwrite: false });
      expect(outcome.status, outcome.reason).toBe("success");
      expect(log[0]).toContain(`as of ${parseDay(day).toISOString()}`);
      const expected = path.join(tmp.dir, `gnu-${day}`);
      gnuTarDay(repoDir, day, expected);
      const got = snapshot(target);
      expect(got, day).toEqual(snapshot(path.join(expected, base)));
      expect(outcome.stats).toMatchObject({ restoredFiles: Object.values(got).filter((v) => !v.startsWith("dir:")).length, errors: 0 });
    }
    expect(snapshot(path.join(tmp.dir, "strata-restored-20270301"))["gone.txt"]).toMatch(/to be deleted/);
    expect(snapshot(path.join(tmp.dir, "strata-restored-20270302"))["gone.txt"]).toBeUndefined();
    expect(snapshot(path.join(tmp.dir, "strata-restored-20270303"))["papers/readme.txt"]).toMatch(/:read me v2\n$/);
  });

  it("a single file to another name; an existing target is kept (partial) unless overwrite; a sub-folder alone", async () => {
    const target = path.join(tmp.dir, "single/readme-old.txt");
    const p = { repositoryPath: "h1/files", format: "archive" as const, path: `${base}/docs/readme.txt`, at: dayTime(days[0]), target, overwrite: false };
    expect((await restore(p)).outcome).toMatchObject({ status: "success", stats: { restoredFiles: 1, restoredBytes: 11 } });
    expect(readFileSync(target, "utf8")).toBe("read me v1\n");
    expect(lstatSync(target).mtimeMs).toBe(1_700_000_000_000);
    const again = await restore({ ...p, at: dayTime(days[1]) });
    expect(again.outcome).toMatchObject({ status: "partial", reason: "1 item(s) could not be restored" });
    expect(again.log.join("\n")).toContain("does not overwrite existing files unless asked to");
    expect(readFileSync(target, "utf8")).toBe("read me v1\n");
    expect((await restore({ ...p, at: dayTime(days[1]), overwrite: true })).outcome.status).toBe("success");
    expect(readFileSync(target, "utf8")).toBe("read me v2\n");
    const sub = path.join(tmp.dir, "papers-only");
    expect((await restore({ ...p, path: `${base}/papers`, at: dayTime(days[2]), target: sub })).outcome.status).toBe("success");
    expect(Object.keys(snapshot(sub))).toEqual(["readme.txt"]);
  });

  it("fails clearly: missing path, a time before the first archive, and a cancelled run; a non-UTF-8 name restores by its bytes", async () => {
    const p = { repositoryPath: "h1/files", format: "archive" as const, path: `${base}/nothing`, at: dayTime(days[2]), target: path.join(tmp.dir, "never"), overwrite: false };
    expect((await restore(p)).outcome).toMatchObject({ status: "failed", reason: expect.stringContaining("does not exist at that time") });
    expect((await restore({ ...p, path: base, at: dayTime("20200101") })).outcome).toMatchObject({ status: "failed", reason: expect.stringContaining("has no archive at or before") });
    // A name that is not UTF-8 (its own tarball repository): the file by its bytes, and its folder intact.
    const rawSrc = path.join(tmp.dir, "raw-archive-src");
    mkdirSync(rawSrc, { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(rawSrc + "/f"), Buffer.from([0xff])]), "raw name\n");
    const rawRepo = path.join(roots[0], "h1/raw");
    mkdirSync(rawRepo, { recursive: true });
    await runTarballMethod(
      { repository: rawRepo, prefix: "h", now: parseDay(days[0]), permissions: {}, purgeDuplicates: false, callbacks: {}, blockSize: 64 * 1024 },
      { targets: [rawSrc], nameFormat: "long", fileType: "tar.zst", blacklist: [], dumpSymlinks: false },
    );
    const rawBase = rawSrc.slice(1);
    const raw = Buffer.concat([Buffer.from(`${rawBase}/`), Buffer.from([0x66, 0xff])]);
    const rawP = { ...p, repositoryPath: "h1/raw", at: dayTime(days[0]) + 3600 };
    const one = await restore({ ...rawP, path: `${rawBase}/f\\xff`, pathBase64: raw.toString("base64url"), target: path.join(tmp.dir, "raw-one") });
    expect(one.outcome.status, one.outcome.reason).toBe("success");
    expect(readFileSync(path.join(tmp.dir, "raw-one"), "utf8")).toBe("raw name\n");
    const folder = await restore({ ...rawP, path: rawBase, target: path.join(tmp.dir, "raw-archive-folder") });
    expect(folder.outcome.status, folder.outcome.reason).toBe("success");
    expect(readdirSync(Buffer.from(path.join(tmp.dir, "raw-archive-folder")), { encoding: "buffer" })).toEqual([Buffer.from([0x66, 0xff])]);
    // A valid UTF-8 pathBase64 is honoured.
    const viaBytes = await restore({ ...p, path: "ignored", pathBase64: Buffer.from(`${base}/new.txt`).toString("base64url"), target: path.join(tmp.dir, "via-bytes/new.txt") });
    expect(viaBytes.outcome.status, viaBytes.outcome.reason).toBe("success");
    expect(readFileSync(path.join(tmp.dir, "via-bytes/new.txt"), "utf8")).toBe("new\n");
    const ac = new AbortController();
    ac.abort();
    expect((await restore({ ...p, path: base }, { signal: ac.signal })).outcome.status).toBe("cancelled");
    expect(() => lstatSync(path.join(tmp.dir, "never", "big.bin"))).toThrow();
  });
});

describe("restore from the archive repository the real backup-manager wrote (fixture)", () => {
  it("each day's folder equals what GNU tar extracts for that day (deletions and the renamed folder included)", async () => {
    const dir = path.join(roots[0], "bm");
    mkdirSync(dir);
    const repo = extractFixture(dir);
    const base = "tmp/bmfix/data";
    for (const day of ["20270101", "20270103", "20270107", "20270108", "20270109", "20270112"]) {
      const target = path.join(tmp.dir, `bm-restored-${day}`);
      const { outcome } = await restore({ repositoryPath: "bm/repo", format: "archive", path: base, at: dayTime(day) + 3600, target, overwrite: false });
      expect(outcome.status, `${day}: ${outcome.reason}`).toBe("success");
      const expected = path.join(tmp.dir, `bm-gnu-${day}`);
      gnuTarDay(repo, day, expected);
      expect(snapshot(target), day).toEqual(snapshot(path.join(expected, base)));
    }
    expect(snapshot(path.join(tmp.dir, "bm-restored-20270103"))["b.txt"]).toBeUndefined();
    expect(snapshot(path.join(tmp.dir, "bm-restored-20270112"))["a.txt"]).toMatch(/:alpha v3\n$/);
  }, 60_000);
});

/** A tree as exact path bytes (hex) → file bytes (latin1) or "dir", for names that are not UTF-8. */
function byteSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: Buffer, rel: Buffer) => {
    for (const n of readdirSync(d, { encoding: "buffer" }).sort(Buffer.compare)) {
      const p = Buffer.concat([d, Buffer.from("/"), n]);
      const r = rel.length ? Buffer.concat([rel, Buffer.from("/"), n]) : n;
      if (lstatSync(p).isDirectory()) {
        out[r.toString("hex")] = "dir";
        walk(p, r);
      } else out[r.toString("hex")] = readFileSync(p).toString("latin1");
    }
  };
  walk(Buffer.from(dir), Buffer.alloc(0));
  return out;
}

describe("restore of names that are not UTF-8 beside names holding the text \\xHH (tar.gz, renamed raw folder)", () => {
  // "a/f\xff" is a real raw name, "b/f\\xff" a name made of the characters \, x, f, f: same text, other bytes.
  const repoDir = path.join(roots[0], "h3/raw-text");
  const src = path.join(tmp.dir, "raw-text-src");
  const base = src.slice(1);
  const at = (...parts: (string | number[])[]) => Buffer.concat([Buffer.from(src + "/"), ...parts.map((x) => (typeof x === "string" ? Buffer.from(x) : Buffer.from(x)))]);
  const RAW = at("a/f", [0xff]);
  const TEXT = at("b/f\\xff");
  const days = ["20270301", "20270302"];

  beforeAll(async () => {
    mkdirSync(at("a"), { recursive: true });
    mkdirSync(at("b"));
    mkdirSync(at("d", [0xf1]));
    mkdirSync(repoDir, { recursive: true });
    writeFileSync(RAW, "raw name\n");
    writeFileSync(TEXT, "text name\n");
    writeFileSync(at("d", [0xf1], "/x", [0xfe]), "in a raw folder\n");
    const run = (day: string) =>
      runTarballMethod(
        { repository: repoDir, prefix: "r", now: parseDay(day), permissions: {}, purgeDuplicates: false, callbacks: {} },
        { targets: [src], nameFormat: "long", fileType: "tar.gz", blacklist: [], dumpSymlinks: false, incremental: { frequency: "weekly", value: 1 } },
      );
    await run(days[0]); // a Monday: the master
    // The raw folder renamed: the incremental's dumpdir records it (R/T) and does not store its unchanged file.
    renameSync(at("d", [0xf1]), at("e", [0xf2]));
    await run(days[1]);
  }, 60_000);

  it("each keeps its own bytes in a restore of each day's folder (with and without index sidecars), as GNU tar extracts it", async () => {
    for (const sidecars of [true, false]) {
      if (!sidecars) for (const n of readdirSync(repoDir)) if (n.endsWith(".idx.json")) unlinkSync(path.join(repoDir, n));
      for (const day of days) {
        const target = path.join(tmp.dir, `raw-text-${sidecars ? "indexed" : "scanned"}-${day}`);
        const { outcome } = await restore({ repositoryPath: "h3/raw-text", format: "archive", path: base, at: dayTime(day) + 3600, target, overwrite: false });
        expect(outcome.status, `${day}: ${outcome.reason}`).toBe("success");
        const expected = path.join(tmp.dir, `raw-text-gnu-${day}`);
        if (sidecars) gnuTarDay(repoDir, day, expected);
        const got = byteSnapshot(target);
        expect(got, day).toEqual(byteSnapshot(path.join(expected, base)));
        const rel = (b: Buffer) => b.subarray(src.length + 1).toString("hex");
        expect(got[rel(RAW)]).toBe("raw name\n");
        expect(got[rel(TEXT)]).toBe("text name\n");
        expect(got[rel(at(day === days[0] ? "d" : "e", [day === days[0] ? 0xf1 : 0xf2], "/x", [0xfe]))]).toBe("in a raw folder\n");
      }
    }
    // One file by its text path: the name holding the characters \xff is not mistaken for the raw one.
    const one = path.join(tmp.dir, "raw-text-one");
    const { outcome } = await restore({ repositoryPath: "h3/raw-text", format: "archive", path: `${base}/b/f\\xff`, at: dayTime(days[1]) + 3600, target: one, overwrite: false });
    expect(outcome.status, outcome.reason).toBe("success");
    expect(readFileSync(one, "utf8")).toBe("text name\n");
  }, 60_000);
});

describe("archive restores: item errors, cancel mid-run, and a host over SFTP (real sshd)", () => {
  const repoDir = path.join(roots[0], "h2/many");
  const src = path.join(tmp.dir, "many-src");
  const base = src.slice(1);

  beforeAll(async () => {
    mkdirSync(path.join(src, "d"), { recursive: true });
    mkdirSync(repoDir, { recursive: true });
    for (let i = 0; i < 600; i++) writeFileSync(path.join(src, "d", `f${String(i).padStart(3, "0")}.txt`), `file ${i}\n`);
    await runTarballMethod(
      { repository: repoDir, prefix: "m", now: parseDay("20270401"), permissions: {}, purgeDuplicates: false, callbacks: {} },
      { targets: [src], nameFormat: "long", fileType: "tar.gz", blacklist: [], dumpSymlinks: false, incremental: { frequency: "weekly", value: 1 } },
    );
  }, 60_000);
  const p = () => ({ repositoryPath: "h2/many", format: "archive" as const, path: base, at: dayTime("20270401"), overwrite: true });

  it("an item that cannot be written is logged and the run ends partial; everything else is restored", async () => {
    const target = path.join(tmp.dir, "many-partial");
    mkdirSync(path.join(target, "d/f007.txt"), { recursive: true });
    writeFileSync(path.join(target, "d/f007.txt/inside"), "a folder where a file should go\n");
    const { outcome, log, progress } = await restore({ ...p(), target });
    expect(outcome).toMatchObject({ status: "partial", reason: "1 item(s) could not be restored", stats: { restoredFiles: 599, errors: 1 } });
    expect(log.filter((l) => l.startsWith("WARNING: cannot restore"))).toEqual([expect.stringContaining(`"${base}/d/f007.txt"`)]);
    expect(readFileSync(path.join(target, "d/f599.txt"), "utf8")).toBe("file 599\n");
    expect(readdirSync(path.join(target, "d"))).toHaveLength(600);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[progress.length - 1].items).toBe(602);
  });

  it("cancel during the run ends it cancelled with the files not yet written left out", async () => {
    const target = path.join(tmp.dir, "many-cancelled");
    const ac = new AbortController();
    const { outcome } = await restore({ ...p(), target }, { signal: ac.signal, onProgress: () => ac.abort() });
    expect(outcome).toMatchObject({ status: "cancelled", reason: "Restore cancelled" });
    const written = readdirSync(path.join(target, "d")).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(600);
  });

  it("restores to a host over SFTP: the backup-manager fixture's last day equals GNU tar's extraction", async () => {
    const sshDir = path.join(tmp.dir, "ssh");
    mkdirSync(sshDir);
    const sshd = await startTestSshd();
    try {
      const on = await sshTestHost(sshd, sshDir);
      const dir = path.join(roots[0], "bm-ssh");
      mkdirSync(dir);
      const repo = extractFixture(dir);
      const target = path.join(sshDir, "restored");
      const day = "20270112";
      const { outcome } = await restore({ repositoryPath: "bm-ssh/repo", format: "archive", path: "tmp/bmfix/data", at: dayTime(day), target, overwrite: false }, { on });
      expect(outcome.status, outcome.reason).toBe("success");
      gnuTarDay(repo, day, path.join(sshDir, "gnu"));
      expect(snapshot(target)).toEqual(snapshot(path.join(sshDir, "gnu/tmp/bmfix/data")));
      // A single file over SFTP, refused when it exists, replaced when asked.
      const single = { repositoryPath: "bm-ssh/repo", format: "archive" as const, path: "tmp/bmfix/data/a.txt", at: dayTime("20270101"), target: path.join(target, "a.txt"), overwrite: false };
      expect((await restore(single, { on })).outcome.status).toBe("partial");
      expect(readFileSync(path.join(target, "a.txt"), "utf8")).toBe("alpha v3\n");
      expect((await restore({ ...single, overwrite: true }, { on })).outcome.status).toBe("success");
      expect(readFileSync(path.join(target, "a.txt"), "utf8")).toBe("alpha v1\n");
    } finally {
      await sshd.stop();
    }
  }, 60_000);
});

describe("restore of a raw (non-UTF-8) name from a mirror", () => {
  it("restores the file named with byte 0xff by its exact bytes (pathBase64), and its folder with the name intact", async () => {
    requireRdiffBackup();
    const src = path.join(tmp.dir, "raw-src");
    mkdirSync(path.join(src, "docs"), { recursive: true });
    const name = Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74]);
    const srcFile = Buffer.concat([Buffer.from(path.join(src, "docs") + "/"), name]);
    writeFileSync(srcFile, "raw bytes\n");
    const repo = path.join(roots[0], "raw/files");
    mkdirSync(path.dirname(repo), { recursive: true });
    const b = rdiffBackup(["backup", src, repo]);
    expect(b.status, b.stderr).toBe(0);
    const raw = Buffer.concat([Buffer.from("docs/"), name]);
    const p = { repositoryPath: "raw/files", format: "mirror" as const, path: "docs/f\\xff.txt", pathBase64: raw.toString("base64url"), at: Math.floor(Date.now() / 1000) + 60, overwrite: false };
    const single = await restore({ ...p, target: path.join(tmp.dir, "raw-out/restored.txt") });
    expect(single.outcome, single.outcome.reason).toMatchObject({ status: "success", stats: { restoredFiles: 1, restoredBytes: 10 } });
    expect(readFileSync(path.join(tmp.dir, "raw-out/restored.txt"), "utf8")).toBe("raw bytes\n");
    // Without the exact bytes the display path names nothing.
    expect((await restore({ ...p, pathBase64: undefined, target: path.join(tmp.dir, "raw-out/x") })).outcome).toMatchObject({ status: "failed", reason: expect.stringContaining("does not exist") });
    const folder = path.join(tmp.dir, "raw-folder");
    expect((await restore({ ...p, path: "docs", pathBase64: undefined, target: folder })).outcome.status).toBe("success");
    expect(readdirSync(Buffer.from(folder), { encoding: "buffer" })).toEqual([name]);
    expect(readFileSync(Buffer.concat([Buffer.from(folder + "/"), name]), "utf8")).toBe("raw bytes\n");
  });
});
