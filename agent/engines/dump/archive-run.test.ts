// End to end through the archive job runner: mysql + pgsql + pipe dumps, md5/sha256 files, upload over SFTP.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveJob } from "@/lib/schemas/archive-job";
import { runArchiveJob } from "../archive/run-job";
import { startTestSshd, type TestSshd } from "../archive/upload/test-sshd";
import { requireTool, sh } from "./test-support";

const MY = "mariadb -h127.0.0.1 -P3306 -uroot";
const PSQL = "psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres";
const tag = randomBytes(4).toString("hex");
const DB = `strata_t_run_${tag}`;

let sshd: TestSshd;
let work: string;

beforeAll(async () => {
  requireTool("mariadb-dump");
  requireTool("pg_dump");
  sshd = await startTestSshd();
  work = await mkdtemp(path.join(os.tmpdir(), "strata-archive-run-test-"));
  sh(MY, `CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT PRIMARY KEY, v TEXT); INSERT INTO ${DB}.t VALUES (1, 'one');`);
  sh(`${PSQL} -d postgres -c "CREATE DATABASE ${DB}"`);
  sh(`${PSQL} -d ${DB} -c "CREATE TABLE t (id int primary key, v text); INSERT INTO t VALUES (1, 'uno')"`);
});

afterAll(async () => {
  await sshd?.stop();
  await rm(work, { recursive: true, force: true });
  sh(`${MY} -e "DROP DATABASE IF EXISTS ${DB}"`);
  sh(`${PSQL} -d postgres -c "DROP DATABASE IF EXISTS ${DB}"`);
});

describe("archive job with dump methods and an upload", () => {
  it("dumps, records hashes and uploads the day's archives, ending with identical remote copies", async () => {
    const repository = path.join(work, "repo");
    const remote = path.join(work, "remote");
    const pwFile = path.join(work, "mysql.pw");
    await writeFile(pwFile, "\n", { mode: 0o600 });
    const job = archiveJob.parse({
      name: "dumps",
      repository,
      prefix: "bmhost",
      methods: ["mysql", "pgsql", "pipe"],
      mysql: { databases: [DB], user: "root", passwordFile: pwFile, host: "127.0.0.1", compression: "gzip" },
      pgsql: { databases: [DB], user: "postgres", host: "127.0.0.1", compression: "zstd" },
      pipe: [{ name: "uname", command: ["uname", "-s"], fileType: "txt" }],
      permissions: { archiveMode: "640" },
      upload: {
        method: "sftp",
        hosts: [{ host: "127.0.0.1", port: sshd.port, user: sshd.user, privateKeyPath: sshd.userKeyPath, hostKeyFingerprint: sshd.hostKeyFingerprint }],
        destination: remote,
        uploadedArchivesFile: path.join(work, "uploaded.list"),
      },
    });
    const res = await runArchiveJob(job, { now: new Date(2027, 2, 1, 3) });
    const names = [
      `bmhost-mysql-${DB}.20270301.sql.gz`,
      `bmhost-pgsql-${DB}.20270301.sql.zst`,
      "bmhost-uname.20270301.txt",
    ];
    expect(res.status).toBe("success");
    expect(res.outputs).toEqual(names);
    expect((await readdir(repository)).filter((n) => !n.startsWith("."))).toEqual(
      ["bmhost-hashes.md5", "bmhost-hashes.sha256", ...names].sort(),
    );
    expect(sh(`cd '${repository}' && md5sum -c bmhost-hashes.md5 && sha256sum -c bmhost-hashes.sha256`)).not.toContain("FAILED");
    expect((await readdir(remote)).sort()).toEqual([...names].sort());
    for (const n of names) {
      expect((await readFile(path.join(remote, n))).equals(await readFile(path.join(repository, n)))).toBe(true);
    }
    expect(sh(`gzip -dc '${path.join(remote, names[0])}'`)).toContain("(1,'one')");
    expect(sh(`zstd -dcq '${path.join(remote, names[1])}'`)).toContain("1\tuno");
  });
});
