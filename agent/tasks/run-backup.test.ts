import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RunSpool } from "../daemon/run-spool";
import { rdiffBackup, requireRdiffBackup } from "../engines/mirror/read/test-rdiff";
import { agentJob, type AgentJob, type HostConnection } from "@/lib/schemas/agent-protocol";
import { runBackupTask } from "./run-backup";
import { localHost, mirrorJob, queueRun } from "./test-jobs";
import type { BackupTask, RunRecorder } from "./types";

let dir: string;
let spool: RunSpool;
const host = localHost("web1");

beforeAll(() => requireRdiffBackup());
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-task-"));
  spool = new RunSpool(path.join(dir, "state"));
  await spool.load();
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function tree(root: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
}

async function run(job: AgentJob, opts: { now?: Date; signal?: AbortSignal; wrap?: (r: RunRecorder) => RunRecorder; host?: HostConnection } = {}) {
  const runId = await queueRun(spool, job.definition.id);
  const rec = spool.recorder(runId);
  const task: BackupTask = {
    runId, job, host: opts.host ?? host, trigger: "manual", repositoryRoots: [path.join(dir, "repos")], stateDir: path.join(dir, "state"),
    timeZone: "UTC", recorder: opts.wrap ? opts.wrap(rec) : rec, signal: opts.signal ?? new AbortController().signal, now: opts.now ? () => opts.now! : undefined,
  };
  const outcome = await runBackupTask(task);
  return { outcome, run: spool.get(runId)!, log: await spool.readLog(runId, 0, 100_000) };
}

describe("runBackupTask on a local host", () => {
  it("writes a mirror that the real rdiff-backup restores byte for byte, with its change set and report", async () => {
    const src = path.join(dir, "src");
    await tree(src, { "a.txt": "alpha\n", "sub/b.bin": "x".repeat(70_000), "sub/deep/c": "" });
    const job = mirrorJob(host, { sources: [src], excludes: [`${src}/sub/deep`] });
    const { outcome, run: sr, log } = await run(job);
    expect(outcome.status).toBe("success");
    const repo = path.join(dir, "repos", "web1", "files");
    expect(sr.done).toBe(true);
    expect(sr.report).toMatchObject({ status: "success", repository: repo, format: "mirror", incrementTime: outcome.incrementTime });
    expect(sr.report.stats).toMatchObject({ newFiles: expect.any(Number), errors: 0, removedIncrements: 0 });
    expect(log[0]).toMatch(/^Run .* of job "files" \(mirror\) on host "web1", trigger manual$/);
    const header = JSON.parse((await readFile(sr.changeSet!.file, "utf8")).split("\n")[0]);
    expect(header).toMatchObject({ kind: "header", format: "mirror", time: outcome.incrementTime });
    expect(sr.changeSet).toMatchObject({ repository: repo, incrementKind: "mirror", posted: false });
    const out = path.join(dir, "restored");
    const r = rdiffBackup(["restore", "--at", "now", repo, out]);
    expect(r.status, r.stderr).toBe(0);
    expect(await readFile(path.join(out, "a.txt"), "utf8")).toBe("alpha\n");
    expect(await readFile(path.join(out, "sub/b.bin"), "utf8")).toBe("x".repeat(70_000));
    expect(existsSync(path.join(out, "sub/deep"))).toBe(false);
  });

  it("applies retention with lib/retention and the mirror engine, and records the removed sessions", async () => {
    const src = path.join(dir, "src");
    const job = mirrorJob(host, { sources: [src], retention: { keepLast: 2 } });
    const t0 = Date.parse("2026-05-01T00:00:00Z");
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await tree(src, { [`f${i}.txt`]: `version ${i}\n` });
      const { outcome, run: r } = await run(job, { now: new Date(t0 + i * 86_400_000) });
      expect(outcome.status).toBe("success");
      times.push(outcome.incrementTime!);
      if (i === 2) {
        expect(r.removal).toEqual({ repository: path.join(dir, "repos/web1/files"), times: [times[0]], posted: false });
        expect(r.report.stats?.removedIncrements).toBe(1);
      } else expect(r.removal).toBeUndefined();
    }
    const list = rdiffBackup(["--parsable-output", "list", "increments", path.join(dir, "repos/web1/files")]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(String(times[0]));
    expect(list.stdout).toContain(String(times[1]));
  });

  it("fails the run with the pre-command's output when it exits non-zero, and writes nothing", async () => {
    const src = path.join(dir, "src");
    await tree(src, { "a.txt": "a" });
    const marker = path.join(dir, "post-ran");
    const job = mirrorJob(host, { sources: [src], preCommand: "echo checking $STRATA_JOB on $STRATA_HOST; echo disk full >&2; exit 3", postCommand: `touch ${marker}` });
    const { outcome, run: r, log } = await run(job);
    expect(outcome).toEqual({ status: "failed", reason: "Pre-command failed (exit code 3); nothing was backed up" });
    expect(r.report).toMatchObject({ status: "failed", reason: outcome.reason });
    expect(log).toEqual(expect.arrayContaining(["pre: checking files on web1", "pre: disk full"]));
    expect(existsSync(path.join(dir, "repos/web1/files"))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(r.changeSet).toBeUndefined();
  });

  it("gives the post-command the run's status, and a failing post-command makes a success partial", async () => {
    const src = path.join(dir, "src");
    await tree(src, { "a.txt": "a" });
    const out = path.join(dir, "post.txt");
    const job = mirrorJob(host, { sources: [src], postCommand: `echo "$STRATA_RUN_STATUS $STRATA_JOB $STRATA_RUN_ID" > ${out}; exit 1` });
    const { outcome, run: r } = await run(job);
    expect((await readFile(out, "utf8")).trim()).toBe(`success files ${r.runId}`);
    expect(outcome).toMatchObject({ status: "partial", reason: "Post-command failed (exit code 1)" });
  });

  it("cancel aborts the engine: the run ends cancelled and the repository stays at its last session", async () => {
    const src = path.join(dir, "src");
    await tree(src, { "a.txt": "first" });
    const job = mirrorJob(host, { sources: [src] });
    const first = await run(job, { now: new Date("2026-05-01T00:00:00Z") });
    expect(first.outcome.status).toBe("success");
    const many: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) many[`many/${i}.txt`] = `file ${i}\n`;
    await tree(src, many);
    const ac = new AbortController();
    const wrap = (r: RunRecorder): RunRecorder => Object.assign(Object.create(r) as RunRecorder, { progress: () => ac.abort() });
    const second = await run(job, { now: new Date("2026-05-02T00:00:00Z"), signal: ac.signal, wrap });
    expect(second.outcome.status).toBe("cancelled");
    expect(second.run.report.status).toBe("cancelled");
    expect(second.run.changeSet).toBeUndefined();
    const repo = path.join(dir, "repos/web1/files");
    const list = rdiffBackup(["--parsable-output", "list", "increments", repo]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain(String(first.outcome.incrementTime));
    expect(list.stdout).not.toContain(String(Date.parse("2026-05-02T00:00:00Z") / 1000));
    const restored = path.join(dir, "restored");
    expect(rdiffBackup(["restore", "--at", "now", repo, restored]).status).toBe(0);
    expect(await readdir(restored)).toEqual(["a.txt"]);
  });

  it("backs several source paths up from their common ancestor with only those paths", async () => {
    const base = path.join(dir, "srv");
    await tree(base, { "etc/conf": "c", "home/u/notes": "n", "tmp/junk": "j" });
    const job = mirrorJob(host, { sources: [`${base}/etc`, `${base}/home`] });
    const { outcome, log } = await run(job);
    expect(outcome.status).toBe("success");
    expect(log.join("\n")).toContain(`backed up from "${base}" with each source included`);
    const restored = path.join(dir, "restored");
    expect(rdiffBackup(["restore", "--at", "now", path.join(dir, "repos/web1/files"), restored]).status).toBe(0);
    expect((await readdir(restored)).sort()).toEqual(["etc", "home"]);
    expect(await readFile(path.join(restored, "home/u/notes"), "utf8")).toBe("n");
  });
});

describe("runBackupTask with archive methods", () => {
  const pipeJob = (h: HostConnection) =>
    agentJob.parse({
      ...mirrorJob(h),
      format: "archive",
      repository: `${h.name}/ldap`,
      definition: { ...mirrorJob(h).definition, name: "ldap", method: "pipe", sources: [], options: { command: "echo dn: cn=admin", archiveName: "ldap.ldif", compression: "none" } },
    });

  it("runs a pipe job through the archive engine and hands its archive to the change set", async () => {
    const job = pipeJob(host);
    const { outcome, run: r } = await run(job);
    expect(outcome.status, outcome.reason).toBe("success");
    const files = await readdir(path.join(dir, "repos/web1/ldap"));
    const archive = files.find((f) => f.endsWith(".ldif"));
    expect(archive).toBeDefined();
    expect(await readFile(path.join(dir, "repos/web1/ldap", archive!), "utf8")).toBe("dn: cn=admin\n");
    expect(r.changeSet).toMatchObject({ incrementKind: "full", archives: [archive] });
  });

  it("tells the console which sessions the TTL purge removed (retention's olderThan is the TTL)", async () => {
    const base = pipeJob(host);
    const job = { ...base, definition: { ...base.definition, retention: { olderThan: "5D" } } };
    const first = await run(job, { now: new Date("2026-05-01T02:00:00Z") });
    expect(first.outcome.status, first.outcome.reason).toBe("success");
    expect(first.run.removal).toBeUndefined();
    const second = await run(job, { now: new Date("2026-05-10T02:00:00Z") });
    expect(second.outcome.status, second.outcome.reason).toBe("success");
    expect(second.run.removal).toEqual({ repository: path.join(dir, "repos/web1/ldap"), times: [first.outcome.incrementTime], posted: false });
    expect(second.run.report.stats?.removedIncrements).toBe(1);
    expect((await readdir(path.join(dir, "repos/web1/ldap"))).filter((f) => f.endsWith(".ldif"))).toEqual(second.run.changeSet!.archives);
  });

  it("fails a tarball job of an unreachable SSH host at the connection, and writes nothing", async () => {
    const ssh: HostConnection = { ...localHost("db1"), local: false, port: 1 };
    const base = pipeJob(ssh);
    const job = agentJob.parse({ ...base, repository: "db1/etc", definition: { ...base.definition, name: "etc", method: "tarball", sources: ["/etc"], options: {} } });
    const { outcome } = await run(job, { host: ssh });
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toContain("127.0.0.1:1");
    expect(existsSync(path.join(dir, "repos/db1/etc"))).toBe(false);
  });
});
