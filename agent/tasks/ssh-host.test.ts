// Backup and restore runs against a real OpenSSH sshd: a mirror pulled over SFTP with the host key pinned
// through the console (POST /host-keys), a refused key failing the run, and restores written back over SFTP.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "../engines/archive/upload/test-sshd";
import { rdiffBackup } from "../engines/mirror/read/test-rdiff";
import { sshTestHost } from "../sources/ssh/test-host";
import { ConsoleClient } from "../daemon/console-client";
import { hostKeyChecker } from "../daemon/host-keys";
import { RunSpool } from "../daemon/run-spool";
import { TestConsole } from "../daemon/test-console";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { runBackupTask } from "./run-backup";
import { runRestoreTask } from "./run-restore";
import { mirrorJob } from "./test-jobs";

let sshd: TestSshd;
let con: TestConsole;
let dir: string;
let spool: RunSpool;
let host: HostConnection;
let stateDir: string;
let seq = 0;

beforeAll(async () => {
  sshd = await startTestSshd();
  con = await new TestConsole().start();
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-ssh-task-"));
  ({ host, stateDir } = await sshTestHost(sshd, dir, { hostKeyFingerprint: null }));
  spool = new RunSpool(stateDir);
  await spool.load();
  await mkdir(path.join(dir, "src/sub"), { recursive: true });
  await writeFile(path.join(dir, "src/a.txt"), "alpha\n");
  await writeFile(path.join(dir, "src/sub/b.txt"), "beta\n");
}, 60_000);
afterAll(async () => {
  await sshd?.stop();
  await con?.close();
  await rm(dir, { recursive: true, force: true });
});

const newRun = async (jobId: string | null, type: "backup" | "restore") => {
  const runId = `cccccccc-cccc-4ccc-8ccc-${String(++seq).padStart(12, "0")}`;
  await spool.create(runId, { v: 1, jobId, type, trigger: "manual", status: "queued", queuedAt: new Date().toISOString() });
  return runId;
};
const checkHostKey = () => hostKeyChecker(new ConsoleClient(con.url), con.token, () => undefined);

async function backup(h: HostConnection) {
  const job = mirrorJob(h, { sources: [path.join(dir, "src")] });
  const runId = await newRun(job.definition.id, "backup");
  const task = {
    runId, job, host: h, trigger: "manual" as const, repositoryRoots: [path.join(dir, "repos")], stateDir, recorder: spool.recorder(runId),
    signal: new AbortController().signal, checkHostKey: checkHostKey(),
  };
  return { outcome: await runBackupTask(task), repo: path.join(dir, "repos", h.name, "files") };
}

async function restore(params: { path: string; target: string; overwrite: boolean; at: number }) {
  const runId = await newRun(null, "restore");
  return runRestoreTask({
    runId, params: { repositoryPath: path.join(dir, "repos/test-host/files"), format: "mirror", hostId: host.id, ...params },
    host, repositoryRoots: [path.join(dir, "repos")], recorder: spool.recorder(runId), signal: new AbortController().signal, stateDir, checkHostKey: checkHostKey(),
  });
}

describe("runs on an SSH host (real sshd)", () => {
  it("pins the host key through the console on first contact and pulls a mirror over SFTP", async () => {
    const { outcome, repo } = await backup(host);
    expect(outcome.status, outcome.reason).toBe("success");
    expect(con.hostKeys.get(host.id)).toBe(sshd.hostKeyFingerprint);
    const out = path.join(dir, "restored-by-rdiff");
    expect(rdiffBackup(["restore", "--at", "now", repo, out]).status).toBe(0);
    expect(await readFile(path.join(out, "sub/b.txt"), "utf8")).toBe("beta\n");
  });

  it("fails the run with a clear warning when the console refuses the presented key", async () => {
    const other = { ...host, id: "00000000-0000-4000-8000-000000000002", name: "moved-host" };
    con.hostKeys.set(other.id, "SHA256:" + "Z".repeat(43));
    const { outcome } = await backup(other);
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toContain(`the host key of "moved-host"`);
    expect(outcome.reason).toContain("was refused by the console");
  });

  it("restores a directory and a single file back to the host over SFTP, replacing files only when told", async () => {
    const at = Math.floor(Date.now() / 1000) + 60;
    const target = path.join(dir, "restore-target");
    const first = await restore({ path: "sub", target, overwrite: false, at });
    expect(first).toMatchObject({ status: "success", stats: { restoredFiles: 1, restoredBytes: 5 } });
    expect(await readFile(path.join(target, "b.txt"), "utf8")).toBe("beta\n");
    await writeFile(path.join(target, "b.txt"), "changed on the host\n");
    const refused = await restore({ path: "sub", target, overwrite: false, at });
    expect(refused.status).toBe("partial");
    expect(await readFile(path.join(target, "b.txt"), "utf8")).toBe("changed on the host\n");
    expect((await restore({ path: "sub", target, overwrite: true, at })).status).toBe("success");
    expect(await readFile(path.join(target, "b.txt"), "utf8")).toBe("beta\n");
    const single = await restore({ path: "a.txt", target: path.join(dir, "elsewhere/a-restored.txt"), overwrite: false, at });
    expect(single.status, single.reason).toBe("success");
    expect(await readFile(path.join(dir, "elsewhere/a-restored.txt"), "utf8")).toBe("alpha\n");
  });
});
