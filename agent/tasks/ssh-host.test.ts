// Backup and restore runs against a real OpenSSH sshd: a mirror pulled over SFTP with the host key pinned
// through the console (POST /host-keys), a refused key failing the run, and restores written back over SFTP.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSshd } from "../engines/archive/upload/test-sshd";
import { requireTool, sh } from "../engines/dump/test-support";
import { rdiffBackup } from "../engines/mirror/read/test-rdiff";
import { CLOSED_PORT, startSshdWithHostTmp } from "../sources/ssh/test-host";
import { ConsoleClient } from "../daemon/console-client";
import { hostKeyChecker } from "../daemon/host-keys";
import { RunSpool } from "../daemon/run-spool";
import { TestConsole } from "../daemon/test-console";
import { agentJob, type AgentJob, type HostConnection } from "@/lib/schemas/agent-protocol";
import { runBackupTask } from "./run-backup";
import { runRestoreTask } from "./run-restore";
import { mirrorJob, queueRun } from "./test-jobs";

let sshd: TestSshd;
let con: TestConsole;
let dir: string;
let spool: RunSpool;
let host: HostConnection;
let stateDir: string;

beforeAll(async () => {
  ({ dir, sshd, host, stateDir } = await startSshdWithHostTmp("strata-ssh-task-", { hostKeyFingerprint: null }));
  con = await new TestConsole().start();
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

const newRun = (jobId: string | null, type: "backup" | "restore") => queueRun(spool, jobId, type);
const checkHostKey = () => hostKeyChecker(new ConsoleClient(con.url), con.token, () => undefined);

async function backup(h: HostConnection, job: AgentJob = mirrorJob(h, { sources: [path.join(dir, "src")] }), signal = new AbortController().signal) {
  const runId = await newRun(job.definition.id, "backup");
  const task = {
    runId, job, host: h, trigger: "manual" as const, repositoryRoots: [path.join(dir, "repos")], stateDir, recorder: spool.recorder(runId),
    signal, checkHostKey: checkHostKey(),
  };
  const outcome = await runBackupTask(task);
  return { outcome, repo: path.join(dir, "repos", job.repository), log: await spool.readLog(runId, 0, 100_000) };
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

describe("pre/post commands and dump methods on an SSH host (real sshd)", () => {
  const pipeJob = (h: HostConnection, name: string, command: string, over: Record<string, unknown> = {}) => {
    const base = mirrorJob(h);
    return agentJob.parse({
      ...base,
      format: "archive",
      repository: `${h.name}/${name}`,
      definition: { ...base.definition, name, method: "pipe", sources: [], options: { command, archiveName: `${name}.bin`, compression: "none" }, ...over },
    });
  };

  it("runs the pre- and post-command on the host over SSH with the run's variables, output in the log", async () => {
    const marker = path.join(dir, "hooks/marker");
    await mkdir(path.dirname(marker), { recursive: true });
    // SSH_CONNECTION is set by sshd only: the marker proves the command ran in an SSH session on the host.
    const pre = `echo "pre $STRATA_JOB $STRATA_HOST [$SSH_CONNECTION] $TMPDIR" > ${marker} && echo 'hello from the host' && echo to-stderr >&2`;
    const post = `echo "post $STRATA_RUN_STATUS [$SSH_CONNECTION]" >> ${marker}`;
    const job = pipeJob(host, "hooked", "echo data", { preCommand: pre, postCommand: post });
    const { outcome, log } = await backup(host, job);
    expect(outcome.status, outcome.reason).toBe("success");
    const lines = (await readFile(marker, "utf8")).split("\n");
    const [head, tmp] = lines[0].split("] ");
    expect(head).toMatch(/^pre hooked test-host \[127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+$/);
    expect(tmp).toBe(path.join(dir, "host-tmp")); // the host session's environment (sshd SetEnv), not the agent's
    expect(lines[1]).toMatch(new RegExp(`^post success \\[127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\]$`));
    expect(log).toContain("pre: hello from the host");
    expect(log).toContain("pre: to-stderr");
  });

  it("passes variables with quotes and shell syntax to the host's hook unchanged", async () => {
    const odd = { ...host, name: `it's "odd" $HOME; \`id\` \\ end` };
    const out = path.join(dir, "hooks/odd-name");
    await mkdir(path.dirname(out), { recursive: true });
    const { outcome } = await backup(odd, pipeJob(odd, "odd", "echo data", { preCommand: `printf '%s' "$STRATA_HOST" > ${out}` }));
    expect(outcome.status, outcome.reason).toBe("success");
    expect(await readFile(out, "utf8")).toBe(odd.name);
  });

  it("fails the run when the pre-command fails on the host, with its output, and writes nothing", async () => {
    const job = pipeJob(host, "refused", "echo data", { preCommand: "echo 'database is locked'; exit 4" });
    const { outcome, log, repo } = await backup(host, job);
    expect(outcome).toEqual({ status: "failed", reason: "Pre-command failed (exit code 4); nothing was backed up" });
    expect(log).toContain("pre: database is locked");
    expect(existsSync(repo)).toBe(false);
  });

  it("cancel during a pre-command on the host ends the run cancelled and stops the command there", async () => {
    const pidFile = path.join(dir, "cancel/pre.pid");
    await mkdir(path.dirname(pidFile), { recursive: true });
    const job = pipeJob(host, "slow", "echo data", { preCommand: `echo $$ > ${pidFile}; exec sleep 60` });
    const ac = new AbortController();
    const started = backup(host, job, ac.signal);
    let pid = 0;
    for (let i = 0; i < 200 && !pid; i++) {
      pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBeGreaterThan(0);
    const abortedAt = Date.now();
    ac.abort();
    const { outcome, repo } = await started;
    expect(Date.now() - abortedAt).toBeLessThan(10_000); // not the 60 s of the sleep
    expect(outcome).toEqual({ status: "cancelled", reason: "Cancelled: Cancelled during the pre-command" });
    expect(existsSync(repo)).toBe(false);
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        gone = true;
      }
    }
    expect(gone).toBe(true);
  });

  it("fails the run with the connection reason when the host is unreachable for the pre-command", async () => {
    const down = { ...host, id: "00000000-0000-4000-8000-000000000003", name: "down-host", port: CLOSED_PORT };
    const { outcome, repo } = await backup(down, pipeJob(down, "x", "echo data", { preCommand: "true" }));
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toContain(`127.0.0.1:${CLOSED_PORT}`);
    expect(existsSync(repo)).toBe(false);
  });

  it("runs a pipe job on the host: the archive written on the agent holds the command's bytes", async () => {
    const data = randomBytes(300_000);
    await writeFile(path.join(dir, "host-data.bin"), data);
    // bash -o pipefail: the test fails the archive unless the command ran in an SSH session.
    const job = pipeJob(host, "blob", `test -n "$SSH_CONNECTION" && cat ${path.join(dir, "host-data.bin")}`);
    const { outcome, repo, log } = await backup(host, job);
    expect(outcome.status, outcome.reason).toBe("success");
    const files = (await readdir(repo)).filter((f) => f.endsWith(".bin"));
    expect(files).toHaveLength(1);
    expect((await readFile(path.join(repo, files[0]))).equals(data)).toBe(true);
    expect(log.join("\n")).toContain('Dumping pipe "blob"');
  });

  it("fails a pipe job whose command fails on the host, keeping no partial archive", async () => {
    const job = pipeJob(host, "broken", "echo partial; exit 3");
    const { outcome, repo } = await backup(host, job);
    expect(outcome.status).toBe("failed");
    expect((await readdir(repo)).filter((f) => f.endsWith(".bin") || f.endsWith(".part"))).toEqual([]);
  });
});

describe("database dumps on an SSH host (real sshd, real MariaDB)", () => {
  const MY = "mariadb -h127.0.0.1 -P3306 -uroot";
  const tag = randomBytes(4).toString("hex");
  const DB = `strata_t_ssh_${tag}`;
  const USER = `strata_ts_${tag}`;
  const PASSWORD = `s3cr'et "${tag}" #x`;
  const mysqlJob = (password: string) => {
    const base = mirrorJob(host);
    return agentJob.parse({
      ...base,
      format: "archive",
      repository: `${host.name}/db-${password === PASSWORD ? "ok" : "bad"}`,
      definition: {
        ...base.definition, name: "db", method: "mysql", sources: [],
        options: { databases: [DB], user: USER, host: "127.0.0.1", port: 3306, compression: "none" }, secrets: { password },
      },
    });
  };

  beforeAll(() => {
    requireTool("mariadb-dump");
    sh(MY, `CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT PRIMARY KEY, name VARCHAR(50)); INSERT INTO ${DB}.t VALUES (7, 'over ssh');
      CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD.replaceAll("'", "\\'")}'; GRANT ALL ON ${DB}.* TO '${USER}'@'%';`);
  });
  afterAll(() => {
    sh(`${MY} -e "DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'%';"`);
  });

  it("dumps a MySQL database on the host with the password in a host-side option file that is removed afterwards", async () => {
    const { outcome, repo, log } = await backup(host, mysqlJob(PASSWORD));
    expect(outcome.status, outcome.reason).toBe("success");
    const files = (await readdir(repo)).filter((f) => f.endsWith(".sql"));
    expect(files).toEqual([expect.stringContaining(`mysql-${DB}.`)]);
    const sql = await readFile(path.join(repo, files[0]), "utf8");
    expect(sql).toContain("CREATE TABLE `t`");
    expect(sql).toContain("(7,'over ssh')");
    expect(log.join("\n")).not.toContain(PASSWORD);
    expect(await readdir(path.join(dir, "host-tmp"))).toEqual([]);
  });

  it("fails the run with the server's refusal for a wrong password, leaving no archive and no credential file", async () => {
    const { outcome, repo } = await backup(host, mysqlJob("wrong"));
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toMatch(/Access denied/);
    expect((await readdir(repo)).filter((f) => f.includes(".sql"))).toEqual([]);
    expect(await readdir(path.join(dir, "host-tmp"))).toEqual([]);
  });
});
