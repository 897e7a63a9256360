import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import type ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSsh } from "../archive/upload/ssh-connect";
import { startTestSshd, type TestSshd } from "../archive/upload/test-sshd";
import { dumpMysql } from "./mysql";
import { dumpPipes } from "./pipe";
import { SshRunner, shellQuote } from "./ssh-runner";
import { makeDumpContext, requireTool, sh } from "./test-support";

const MY = "mariadb -h127.0.0.1 -P3306 -uroot";
const tag = randomBytes(4).toString("hex");
const DB = `strata_t_ssh_${tag}`;
const USER = `strata_t_ssh_${tag}`;
const PASSWORD = `ssh 'pw' ${tag}`;

/** True while process `pid` exists (the test sshd runs on this machine, as this user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let sshd: TestSshd;
let client: ssh2.Client;

beforeAll(async () => {
  requireTool("mariadb-dump");
  sshd = await startTestSshd();
  client = await connectSsh({
    host: "127.0.0.1",
    port: sshd.port,
    user: sshd.user,
    privateKey: await readFile(sshd.userKeyPath),
    hostKeyFingerprint: sshd.hostKeyFingerprint,
  });
  sh(`${MY}`, `CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT PRIMARY KEY, v TEXT);
    INSERT INTO ${DB}.t VALUES (1, 'over ssh'), (2, 'two');
    CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD.replaceAll("'", "\\'")}'; GRANT ALL ON ${DB}.* TO '${USER}'@'%';`);
});

afterAll(async () => {
  client?.end();
  await sshd?.stop();
  sh(`${MY} -e "DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'%';"`);
});

describe("dumps through an SSH runner", () => {
  it("runs mariadb-dump on the SSH host with a remote 0600 option file that is removed afterwards", async () => {
    const t = await makeDumpContext();
    const runner = new SshRunner(client, "127.0.0.1");
    const secrets: string[] = [];
    const write = runner.writeSecretFile.bind(runner);
    runner.writeSecretFile = async (name, content) => {
      const f = await write(name, content);
      secrets.push(f.path);
      expect(sh(`stat -c %a '${f.path}' '${path.dirname(f.path)}'`)).toBe("600\n700\n");
      return f;
    };
    try {
      const out = await dumpMysql({ ...t.ctx, runner }, {
        databases: [DB],
        user: USER,
        password: PASSWORD,
        host: "127.0.0.1",
        port: 3306,
        compression: "gzip",
      });
      expect(out.outputs.map((o) => o.name)).toEqual([`bmhost-mysql-${DB}.20270301.sql.gz`]);
      const sql = sh(`gzip -dc '${out.outputs[0].path}'`);
      expect(sql).toContain("(1,'over ssh')");
      expect(secrets).toHaveLength(1);
      expect(existsSync(path.dirname(secrets[0]))).toBe(false);
    } finally {
      await t.cleanup();
    }
  });

  it("fails a remote command that exits non-zero and keeps no archive", async () => {
    const t = await makeDumpContext();
    const runner = new SshRunner(client, "127.0.0.1");
    try {
      await expect(
        dumpPipes({ ...t.ctx, runner }, [{ name: "bad", shell: "echo partial; exit 7", fileType: "txt", compression: "gzip" }]),
      ).rejects.toThrow(/pipe "bad": bash exited with code 7/);
      expect(await readdir(t.repository)).toEqual([]);
      const ok = await dumpPipes({ ...t.ctx, runner }, [{ name: "ok", command: ["printf", "%s\\n", "a b", "it's"], fileType: "txt", compression: "none" }]);
      expect(await readFile(ok.outputs[0].path, "utf8")).toBe("a b\nit's\n");
      expect(await runner.hasCommand("svnadmin")).toBe(true);
      expect(await runner.hasCommand("no-such-tool-strata")).toBe(false);
    } finally {
      await t.cleanup();
    }
  });

  it("kill stops a silent long command on the host (OpenSSH ignores signal requests: the channel close ends it)", async () => {
    const t = await makeDumpContext();
    const runner = new SshRunner(client, "127.0.0.1");
    const pidFile = path.join(t.repository, "remote.pid");
    try {
      const cmd = runner.start(["sh", "-c", `echo $$ > ${shellQuote(pidFile)}; exec sleep 60`]);
      let pid = 0;
      for (let i = 0; i < 200 && !pid; i++) {
        pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
        if (!pid) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid).toBeGreaterThan(0);
      expect(alive(pid)).toBe(true);
      const killedAt = Date.now();
      cmd.kill();
      const exit = await cmd.done;
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      expect(exit.code).not.toBe(0);
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        gone = !alive(pid);
        if (!gone) await new Promise((r) => setTimeout(r, 100));
      }
      expect(gone, `remote sleep ${pid} still running after kill`).toBe(true);
      // A command that ends by itself keeps its exit status and its stdout, and leaves no watcher behind.
      const ok = runner.start(["sh", "-c", "printf 'a\\0b'; echo err >&2; exit 3"]);
      const chunks: Buffer[] = [];
      ok.stdout.on("data", (d: Buffer) => chunks.push(d));
      const okExit = await ok.done;
      expect(okExit).toMatchObject({ code: 3, signal: null, stderr: "err\n" });
      expect(Buffer.concat(chunks).equals(Buffer.from("a\0b"))).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it("quotes words for the remote shell", () => {
    expect(shellQuote("plain-word_1.2/x")).toBe("plain-word_1.2/x");
    expect(shellQuote("it's a b")).toBe("'it'\\''s a b'");
  });
});
