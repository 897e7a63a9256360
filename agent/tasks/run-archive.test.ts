// Tarball jobs of an SSH host through the backup task (real sshd): tar runs on the host, the archives, their
// change sets and the snapshot land on the agent, and the host's temporary folder is left empty.
import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSshd } from "../engines/archive/upload/test-sshd";
import { RunSpool } from "../daemon/run-spool";
import { startSshdWithHostTmp } from "../sources/ssh/test-host";
import { agentJob, type AgentJob, type HostConnection } from "@/lib/schemas/agent-protocol";
import { runBackupTask } from "./run-backup";
import { mirrorJob, queueRun } from "./test-jobs";

let sshd: TestSshd;
let dir: string;
let spool: RunSpool;
let host: HostConnection;
let stateDir: string;

beforeAll(async () => {
  ({ dir, sshd, host, stateDir } = await startSshdWithHostTmp("strata-ssh-tar-task-"));
  spool = new RunSpool(stateDir);
  await spool.load();
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function backup(job: AgentJob, now: Date) {
  const runId = await queueRun(spool, job.definition.id);
  const outcome = await runBackupTask({
    runId, job, host, trigger: "manual", repositoryRoots: [path.join(dir, "repos")], stateDir, timeZone: "UTC",
    recorder: spool.recorder(runId), signal: new AbortController().signal, now: () => now,
  });
  return { outcome, run: spool.get(runId)!, repo: path.join(dir, "repos", job.repository) };
}

describe("tarball jobs of an SSH host", () => {
  it("runs an incremental tarball job on the host: master then incremental, restored by GNU tar", async () => {
    const src = path.join(dir, "etc");
    await mkdir(path.join(src, "conf.d"), { recursive: true });
    await writeFile(path.join(src, "hosts"), "127.0.0.1 localhost\n");
    await writeFile(path.join(src, "conf.d/app.conf"), "port=80\n");
    const base = mirrorJob(host);
    const job = agentJob.parse({
      ...base,
      format: "archive",
      repository: `${host.name}/etc`,
      definition: { ...base.definition, name: "etc", method: "tarball_incremental", sources: [src], excludes: ["*.swp"], options: { compression: "zstd", masterDay: 1 } },
    });
    const first = await backup(job, new Date(2027, 2, 1, 3));
    expect(first.outcome.status, first.outcome.reason).toBe("success");
    expect(first.run.changeSet).toMatchObject({ incrementKind: "full", archives: [expect.stringMatching(/\.20270301\.master\.tar\.zst$/)] });
    await rm(path.join(src, "hosts"));
    await writeFile(path.join(src, "conf.d/app.conf"), "port=8080\n");
    await writeFile(path.join(src, "conf.d/.app.conf.swp"), "editor junk");
    const second = await backup(job, new Date(2027, 2, 2, 3));
    expect(second.outcome.status, second.outcome.reason).toBe("success");
    expect(second.run.changeSet).toMatchObject({ incrementKind: "incremental", archives: [expect.stringMatching(/\.20270302\.tar\.zst$/)] });
    const changes = (await readFile(second.run.changeSet!.file, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { path?: string; change?: string });
    expect(changes.some((c) => c.path?.endsWith("hosts") && c.change === "deleted")).toBe(true);
    const out = path.join(dir, "restored");
    await mkdir(out);
    for (const a of [...first.run.changeSet!.archives!, ...second.run.changeSet!.archives!]) {
      execFileSync("tar", ["--zstd", "--listed-incremental=/dev/null", "-x", "-f", path.join(second.repo, a), "-C", out]);
    }
    expect((await readdir(path.join(out, src.slice(1)))).sort()).toEqual(["conf.d"]);
    expect(await readdir(path.join(out, src.slice(1), "conf.d"))).toEqual(["app.conf"]);
    expect(await readFile(path.join(out, src.slice(1), "conf.d/app.conf"), "utf8")).toBe("port=8080\n");
    expect(await readdir(path.join(dir, "host-tmp"))).toEqual([]);
  });

  it("fails the run when the source directory is missing on the host, naming it, with no archive", async () => {
    const missing = path.join(dir, "not-on-host");
    const base = mirrorJob(host);
    const job = agentJob.parse({
      ...base,
      format: "archive",
      repository: `${host.name}/gone`,
      definition: { ...base.definition, name: "gone", method: "tarball", sources: [missing], options: {} },
    });
    const { outcome, repo } = await backup(job, new Date(2027, 2, 1, 3));
    expect(outcome).toEqual({ status: "failed", reason: `Target "${missing}" does not exist on "test-host"` });
    expect((await readdir(repo)).filter((n) => n.includes(".tar"))).toEqual([]);
  });
});
