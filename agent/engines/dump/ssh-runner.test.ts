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

  it("quotes words for the remote shell", () => {
    expect(shellQuote("plain-word_1.2/x")).toBe("plain-word_1.2/x");
    expect(shellQuote("it's a b")).toBe("'it'\\''s a b'");
  });
});
