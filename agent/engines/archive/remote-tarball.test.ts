// Tarball jobs of an SSH host against a real OpenSSH sshd: GNU tar runs on the host, the archives land in the agent's
// repository and the real GNU tar restores each day's tree from them (master, then incrementals in order).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveJob, type ArchiveJobInput } from "@/lib/schemas/archive-job";
import { connectToHost } from "@/agent/sources/open";
import { startSftp } from "@/agent/sources/ssh/sftp-source";
import { startSshdWithHostTmp } from "@/agent/sources/ssh/test-host";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { SshRunner } from "../dump/ssh-runner";
import { snapshotName, tarballArchiveName } from "./naming";
import { runArchiveJob } from "./run-job";
import type { TestSshd } from "./upload/test-sshd";

let sshd: TestSshd;
let dir: string;
let host: HostConnection;
let stateDir: string;
beforeAll(async () => {
  // The host's sessions get their own TMPDIR, so the tests see that the snapshot's temporary folder goes.
  ({ dir, sshd, host, stateDir } = await startSshdWithHostTmp("strata-remote-tar-"));
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One run of the job against the test sshd, on a fresh connection (as each agent run makes one). */
async function runOnHost(input: ArchiveJobInput, now: Date, signal?: AbortSignal) {
  const { client } = await connectToHost(host, { stateDir });
  const errors: string[] = [];
  const logs: string[] = [];
  try {
    const remote = { name: host.name, runner: new SshRunner(client, host.name), sftp: await startSftp(client) };
    const callbacks = { signal, onLog: (l: string) => logs.push(l), onItemError: (_p: string, e: Error) => errors.push(e.message) };
    const res = await runArchiveJob(archiveJob.parse(input), { now, callbacks, host: remote });
    return { res, errors, logs };
  } finally {
    client.end();
  }
}

/** Every entry under `root`: files by content, symlinks by target, directories by name. */
async function treeOf(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    const abs = path.join(root, r);
    if (e.isSymbolicLink()) out[r] = `-> ${await readlink(abs)}`;
    else if (e.isDirectory()) Object.assign(out, { [r]: "dir" }, await treeOf(root, r));
    else out[r] = (await readFile(abs)).toString("base64");
  }
  return out;
}

/** Restores archives in order into a fresh folder with the real GNU tar, as an incremental restore is done. */
function restore(repo: string, archives: string[], into: string): void {
  execFileSync("mkdir", ["-p", into]);
  for (const a of archives) execFileSync("tar", ["--listed-incremental=/dev/null", "-x", "-f", path.join(repo, a), "-C", into]);
}

const day = (d: number) => new Date(2027, 2, d, 3); // 2027-03-01 is a Monday

describe("tarballs of an SSH host", () => {
  it("makes a master and incrementals over several days with tar on the host; GNU tar restores each day's tree", async () => {
    const src = path.join(dir, "site dir's"); // quoting: a space and a quote in the target
    const repo = path.join(dir, "repo-inc");
    await mkdir(path.join(src, "sub/deep"), { recursive: true });
    await mkdir(path.join(src, "cache"));
    await writeFile(path.join(src, "a.txt"), "alpha\n");
    await writeFile(path.join(src, "sub/b.bin"), randomBytes(300_000));
    await writeFile(path.join(src, "sub/deep/c"), "");
    await writeFile(path.join(src, "cache/junk"), "x");
    await writeFile(path.join(src, "debug.log"), "noise");
    await symlink("a.txt", path.join(src, "link"));
    const job: ArchiveJobInput = {
      name: "site",
      repository: repo,
      prefix: "web1",
      methods: ["tarball-incremental"],
      tarball: { targets: [src], fileType: "tar.gz", blacklist: ["*.log", path.join(src, "cache")] },
      incremental: { frequency: "weekly", value: 1 },
    };
    const expected = async () => {
      const t = await treeOf(src);
      for (const k of Object.keys(t)) if (k.endsWith(".log") || k === "cache" || k.startsWith("cache/")) delete t[k];
      return t;
    };
    const archives: string[] = [];
    const trees: Record<string, string>[] = [];
    for (const d of [1, 2, 3, 4]) {
      if (d === 2) await writeFile(path.join(src, "sub/new.txt"), "new on day 2\n");
      if (d === 3) {
        await rm(path.join(src, "sub/b.bin"));
        await writeFile(path.join(src, "a.txt"), "alpha, edited on day 3\n");
      }
      if (d === 4) await rm(path.join(src, "sub/deep"), { recursive: true });
      const { res, errors } = await runOnHost(job, day(d));
      expect(errors).toEqual([]);
      expect(res.status).toBe("success");
      expect(res.outputs).toHaveLength(1);
      archives.push(res.outputs[0]);
      trees.push(await expected());
    }
    const name = (d: string, master = false) => tarballArchiveName({ prefix: "web1", target: src, format: "long", day: `202703${d}`, master, type: "tar.gz" });
    expect(archives).toEqual([name("01", true), name("02"), name("03"), name("04")]);
    for (let i = 0; i < archives.length; i++) {
      const out = path.join(dir, `restored-${i}`);
      restore(repo, archives.slice(0, i + 1), out);
      expect(await treeOf(path.join(out, src.slice(1)))).toEqual(trees[i]);
    }
    // The deletions of days 3 and 4 are gone from the restored tree; the blacklist kept out what it names.
    expect(trees[3]["sub/b.bin"]).toBeUndefined();
    expect(trees[3]["sub/deep"]).toBeUndefined();
    expect(trees[0]["link"]).toBe("-> a.txt");
    // Same repository layout as local tarballs: index sidecars, both checksum files valid, snapshot private.
    for (const a of archives) expect(existsSync(path.join(repo, `${a}.idx.json`))).toBe(true);
    const sums = execFileSync("sh", ["-c", "md5sum -c web1-hashes.md5 && sha256sum -c web1-hashes.sha256"], { cwd: repo, encoding: "utf8" });
    expect(sums.match(/: OK/g)).toHaveLength(8);
    expect((await stat(path.join(repo, snapshotName("web1", src, "long")))).mode & 0o777).toBe(0o600);
    expect((await readdir(repo)).filter((n) => n.endsWith(".part"))).toEqual([]);
    expect(await readdir(path.join(dir, "host-tmp"))).toEqual([]);
    // The next master day (Monday 8th) makes a full archive again.
    const { res } = await runOnHost(job, day(8));
    expect(res.outputs).toEqual([name("08", true)]);
  });

  it("makes a plain tarball (tar.gz) whose extraction equals the host's tree", async () => {
    const src = path.join(dir, "plain");
    const repo = path.join(dir, "repo-plain");
    await mkdir(path.join(src, "d"), { recursive: true });
    await writeFile(path.join(src, "d/f"), randomBytes(2_000_000));
    await writeFile(path.join(src, "g"), "gee\n");
    const job: ArchiveJobInput = { name: "plain", repository: repo, prefix: "h", methods: ["tarball"], tarball: { targets: [src], fileType: "tar.gz" } };
    const { res } = await runOnHost(job, day(2));
    expect(res.status).toBe("success");
    expect(res.stats.sourceFiles).toBe(4); // the target, d, d/f, g
    const out = path.join(dir, "restored-plain");
    restore(repo, res.outputs, out);
    expect(await treeOf(path.join(out, src.slice(1)))).toEqual(await treeOf(src));
    expect(execFileSync("gzip", ["-t", path.join(repo, res.outputs[0])]).length).toBe(0);
  });

  it("fails on a missing source directory on the host, naming it, and writes no archive", async () => {
    const repo = path.join(dir, "repo-missing");
    const missing = path.join(dir, "no-such-dir");
    const job: ArchiveJobInput = { name: "gone", repository: repo, prefix: "h", methods: ["tarball"], tarball: { targets: [missing] } };
    await mkdir(repo);
    await expect(runOnHost(job, day(2))).rejects.toThrow(`Target "${missing}" does not exist on "test-host"`);
    expect(await readdir(repo)).toEqual([]);
    // With another target that exists, the run makes that archive and ends partial, naming the missing one.
    const present = path.join(dir, "present");
    await mkdir(present);
    await writeFile(path.join(present, "f"), "f");
    const { res, errors } = await runOnHost({ ...job, tarball: { targets: [missing, present] } }, day(2));
    expect(res.status).toBe("partial");
    expect(res.outputs).toHaveLength(1);
    expect(errors).toEqual([`Target "${missing}" does not exist on "test-host"`]);
  });

  it("fails on tar's error exit with its message, leaving no archive and the agent's snapshot untouched", async () => {
    const src = path.join(dir, "fail-src");
    const repo = path.join(dir, "repo-fail");
    await mkdir(src);
    await writeFile(path.join(src, "f"), "f\n");
    const job: ArchiveJobInput = { name: "f", repository: repo, prefix: "h", methods: ["tarball-incremental"], tarball: { targets: [src] } };
    expect((await runOnHost(job, day(1))).res.status).toBe("success");
    const snap = (await readdir(repo)).find((n) => n.endsWith(".incremental.bin"))!;
    const before = await readFile(path.join(repo, snap));
    const names = await readdir(repo);
    const bad = { ...job, tarball: { ...job.tarball!, extraOptions: ["--no-such-option"] } };
    const err = await runOnHost(bad, day(2)).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^Cannot write ".*\.20270302\.tar\.gz": tar failed on ".*fail-src" on "test-host" \(exit 64\): .*no-such-option/);
    expect(await readdir(repo)).toEqual(names);
    expect((await readFile(path.join(repo, snap))).equals(before)).toBe(true);
  });

  it("leaves no partial archive when cancelled mid-stream", async () => {
    const src = path.join(dir, "big-src");
    const repo = path.join(dir, "repo-cancel");
    await mkdir(src);
    for (let i = 0; i < 8; i++) await writeFile(path.join(src, `r${i}`), randomBytes(8 << 20));
    const job: ArchiveJobInput = { name: "c", repository: repo, prefix: "h", methods: ["tarball"], tarball: { targets: [src], fileType: "tar.xz" } };
    const ac = new AbortController();
    const watcher = setInterval(() => {
      if (existsSync(repo) && execFileSync("ls", [repo], { encoding: "utf8" }).includes(".part")) ac.abort();
    }, 5);
    try {
      await expect(runOnHost(job, day(2), ac.signal)).rejects.toThrow(/was cancelled/);
    } finally {
      clearInterval(watcher);
    }
    expect((await readdir(repo)).filter((n) => !n.startsWith("."))).toEqual([]);
  });
});
