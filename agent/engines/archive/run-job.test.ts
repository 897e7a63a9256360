import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { archiveJob, type ArchiveJobInput } from "@/lib/schemas/archive-job";
import { parseDay } from "./naming";
import { lockPathOf, runArchiveJob } from "./run-job";
import { sh, tempDir } from "./test-helpers";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

function fixture(extra: Partial<ArchiveJobInput> = {}) {
  const t = tempDir("job");
  cleanups.push(t.cleanup);
  const data = path.join(t.dir, "data");
  mkdirSync(data);
  writeFileSync(path.join(data, "a.txt"), "alpha\n");
  const job = archiveJob.parse({
    name: "nightly",
    repository: path.join(t.dir, "repo"),
    prefix: "h",
    methods: ["tarball-incremental", "pipe"],
    ttlDays: 2,
    tarball: { targets: [data] },
    incremental: { frequency: "weekly", value: 1 },
    pipe: [{ name: "numbers", command: ["printf", "1\\n2\\n"], fileType: "txt", compression: "gzip" }],
    ...extra,
  });
  return { dir: t.dir, data, job };
}

describe("archive job run", () => {
  it("fails a run that made nothing because every target failed, and is partial when another method wrote", async () => {
    const { dir, job } = fixture();
    const missing = path.join(dir, "no-such-dir");
    const onlyTar = archiveJob.parse({ ...job, methods: ["tarball"], tarball: { targets: [missing] } });
    await expect(runArchiveJob(onlyTar, { now: parseDay("20270101") })).rejects.toThrow(`Target "${missing}" does not exist`);
    expect(readdirSync(job.repository).filter((n) => n.includes(".tar"))).toEqual([]);
    const withPipe = archiveJob.parse({ ...job, tarball: { targets: [missing] } });
    const r = await runArchiveJob(withPipe, { now: parseDay("20270102") });
    expect(r).toMatchObject({ status: "partial", outputs: ["h-numbers.20270102.txt.gz"] });
  });

  it("runs purge then every method over several days and keeps whole chains", async () => {
    const { data, job } = fixture();
    for (const day of ["20270101", "20270102", "20270103", "20270104", "20270105", "20270106", "20270107"]) {
      writeFileSync(path.join(data, `${day}.txt`), day);
      const r = await runArchiveJob(job, { now: parseDay(day) });
      expect(r.status).toBe("success");
      expect(r.outputs).toHaveLength(2);
    }
    const left = readdirSync(job.repository).filter((n) => /\.\d{8}\./.test(n) && !n.endsWith(".idx.json")).sort();
    const stem = `h${data.replace(/\//g, "-")}`;
    // 01-07, TTL 2 (limit 01-05): the 01-01 chain went whole once 01-03 expired; pipes up to 01-05 went.
    expect(left).toEqual([
      "h-numbers.20270106.txt.gz",
      "h-numbers.20270107.txt.gz",
      `${stem}.20270104.master.tar.gz`,
      `${stem}.20270105.tar.gz`,
      `${stem}.20270106.tar.gz`,
      `${stem}.20270107.tar.gz`,
    ]);
    expect(sh(["gzip", "-dc", path.join(job.repository, "h-numbers.20270107.txt.gz")])).toBe("1\n2\n");
    sh(["md5sum", "-c", "--ignore-missing", "h-hashes.md5"], { cwd: job.repository });
    sh(["sha256sum", "-c", "h-hashes.sha256"], { cwd: job.repository });
  });

  it("refuses a second run while the first holds the lock", async () => {
    const { job } = fixture();
    mkdirSync(job.repository);
    const sleeper = spawn("sleep", ["30"]);
    cleanups.push(() => sleeper.kill());
    writeFileSync(lockPathOf(job), `${sleeper.pid} nightly\n`);
    await expect(runArchiveJob(job, { now: parseDay("20270101") })).rejects.toMatchObject({
      kind: "locked",
      message: expect.stringContaining(`Job "nightly" is already running (PID ${sleeper.pid}`),
    });
    expect(readdirSync(job.repository)).toEqual([path.basename(lockPathOf(job))]);
  });

  it("fails before any work when the repository cannot be written", async () => {
    const { dir, job } = fixture();
    writeFileSync(path.join(dir, "file"), "x");
    const bad = { ...job, repository: path.join(dir, "file", "repo") };
    await expect(runArchiveJob(bad, { now: parseDay("20270101") })).rejects.toThrow(
      `Cannot write to repository "${bad.repository}": `,
    );
  });

  it("removes the partial archive on a full disk and leaves earlier archives intact", async () => {
    const { dir, data, job } = fixture({ methods: ["tarball"] });
    const repo = path.join(dir, "small");
    mkdirSync(repo);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", repo]);
    } catch (err) {
      throw new Error(`This test needs to mount a small tmpfs (root): ${(err as Error).message}`);
    }
    cleanups.push(() => execFileSync("umount", [repo]));
    const small = { ...job, repository: repo };
    await runArchiveJob(small, { now: parseDay("20270101") });
    const before = readdirSync(repo).sort();
    writeFileSync(path.join(data, "big.bin"), randomBytes(2 << 20));
    const err = await runArchiveJob(small, { now: parseDay("20270102") }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/Cannot write "h-.*\.20270102\.master\.tar\.gz": no space left on device/);
    expect(readdirSync(repo).sort()).toEqual(before);
    sh(["md5sum", "-c", "h-hashes.md5"], { cwd: repo });
    expect(readFileSync(path.join(repo, "h-hashes.md5"), "utf8").split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("stops a run when cancelled, leaving no partial archive, and releases the lock", async () => {
    const { data, job } = fixture({ methods: ["tarball"] });
    writeFileSync(path.join(data, "big.bin"), randomBytes(8 << 20));
    const ac = new AbortController();
    const run = runArchiveJob(job, { now: parseDay("20270101"), callbacks: { signal: ac.signal } });
    setTimeout(() => ac.abort(), 30);
    const err = await run.then(() => undefined, (e: Error & { kind?: string }) => e);
    if (err) expect(err.kind).toBe("cancelled");
    expect(readdirSync(job.repository).filter((n) => n.endsWith(".part") || n.endsWith(".lock"))).toEqual([]);
  });
});
