import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUpload, type UploadSettings } from "./run-upload";
import { SftpUploader } from "./sftp-uploader";
import { startCuttingProxy, startTestSshd, type TestSshd } from "./test-sshd";

let sshd: TestSshd;
let work: string;
const NOW = new Date(2027, 2, 1, 3, 0, 0);

beforeAll(async () => {
  sshd = await startTestSshd();
  work = await mkdtemp(path.join(os.tmpdir(), "strata-upload-test-"));
});

afterAll(async () => {
  await sshd?.stop();
  await rm(work, { recursive: true, force: true });
});

async function makeRepo(name: string, files: Record<string, Buffer | string>): Promise<string> {
  const repo = path.join(work, name);
  await mkdir(repo, { recursive: true });
  for (const [f, data] of Object.entries(files)) await writeFile(path.join(repo, f), data);
  return repo;
}

function settings(remote: string, over: Partial<UploadSettings> = {}): UploadSettings {
  return {
    method: "sftp",
    hosts: [{ host: "127.0.0.1", port: sshd.port, user: sshd.user, privateKeyPath: sshd.userKeyPath, hostKeyFingerprint: sshd.hostKeyFingerprint }],
    destination: remote,
    ...over,
  };
}

describe("upload run", () => {
  it("uploads only today's archives, records them, then purges expired remote chains whole", async () => {
    const repo = await makeRepo("repo1", {
      "bmhost-etc.20270301.master.tar.gz": randomBytes(50_000),
      "bmhost-mysql-shop.20270301.sql.gz": randomBytes(2_000),
      "bmhost-etc.20270228.tar.gz": "yesterday",
      "bmhost-hashes.md5": "x  y\n",
      "bmhost-etc.incremental.bin": "snapshot",
      "bmhost-pipe.20270301.txt.part": "in progress",
    });
    const remote = path.join(work, "remote1");
    await makeRepo("remote1", {
      "bmhost-etc.20270220.master.tar.gz": "m1",
      "bmhost-etc.20270221.tar.gz": "i1",
      "bmhost-etc.20270221.tar.gz.part": "stale",
      "bmhost-etc.20270227.master.tar.gz": "m2",
      "bmhost-etc.20270228.tar.gz": "i2",
      "bmhost-mysql-shop.20270225.sql.gz": "old dump",
      "other-mysql-x.20270101.sql.gz": "foreign prefix",
    });
    const db = path.join(repo, "bmhost-uploaded.list");
    const logs: string[] = [];
    const res = await runUpload(settings(remote, { uploadedArchivesFile: db, ttlDays: 3 }), {
      repository: repo,
      prefix: "bmhost",
      now: NOW,
      ttlDays: 5,
      callbacks: { onLog: (l) => logs.push(l) },
    });
    expect(res.status).toBe("success");
    expect(res.hosts[0].uploaded.map((u) => [u.name, u.verified])).toEqual([
      ["bmhost-etc.20270301.master.tar.gz", "sha256"],
      ["bmhost-mysql-shop.20270301.sql.gz", "sha256"],
    ]);
    expect(res.hosts[0].purged).toEqual([
      "bmhost-etc.20270220.master.tar.gz",
      "bmhost-etc.20270221.tar.gz",
      "bmhost-mysql-shop.20270225.sql.gz",
    ]);
    expect((await readdir(remote)).sort()).toEqual([
      "bmhost-etc.20270227.master.tar.gz",
      "bmhost-etc.20270228.tar.gz",
      "bmhost-etc.20270301.master.tar.gz",
      "bmhost-mysql-shop.20270301.sql.gz",
      "other-mysql-x.20270101.sql.gz",
    ]);
    expect(await readFile(path.join(remote, "bmhost-etc.20270301.master.tar.gz"))).toEqual(
      await readFile(path.join(repo, "bmhost-etc.20270301.master.tar.gz")),
    );
    expect(await readFile(db, "utf8")).toBe(
      `${repo}/bmhost-etc.20270301.master.tar.gz 127.0.0.1\n${repo}/bmhost-mysql-shop.20270301.sql.gz 127.0.0.1\n`,
    );
    expect(logs).toContain(`Removing remote archive "${remote}/bmhost-etc.20270220.master.tar.gz".`);

    const second = await runUpload(settings(remote, { uploadedArchivesFile: db, ttlDays: 3 }), {
      repository: repo,
      prefix: "bmhost",
      now: NOW,
      ttlDays: 5,
    });
    expect(second.hosts[0].uploaded).toEqual([]);
  });

  it("reconnects (retrying a failed reconnect) and resumes after a drop mid-upload, ending byte-identical", async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const repo = await makeRepo("repo2", { "bmhost-big.20270301.master.tar": data });
    const remote = path.join(work, "remote2");
    let connections = 0;
    // First connection drops mid-upload, the first reconnect fails in the handshake, the next one works.
    const limits = [1024 * 1024, 0];
    const proxy = await startCuttingProxy(sshd.port, () => limits[connections++] ?? Infinity);
    const logs: string[] = [];
    try {
      const res = await runUpload(settings(remote, { purge: false }), {
        repository: repo,
        prefix: "bmhost",
        now: NOW,
        ttlDays: 5,
        callbacks: { onLog: (l) => logs.push(l) },
        makeUploader: (h, key, directory) => new SftpUploader({ ...h, port: proxy.port, privateKey: key, directory }),
      });
      const [out] = res.hosts[0].uploaded;
      expect(proxy.cuts()).toBe(2);
      expect(connections).toBe(3);
      expect(out.resumedFrom).toBeGreaterThan(0);
      expect(out.bytesSent).toBe(data.length - out.resumedFrom);
      expect(logs.some((l) => /was lost: .*reconnecting to resume "bmhost-big.20270301.master.tar"/.test(l))).toBe(true);
    } finally {
      await proxy.stop();
    }
    expect(await readdir(remote)).toEqual(["bmhost-big.20270301.master.tar"]);
    expect((await readFile(path.join(remote, "bmhost-big.20270301.master.tar"))).equals(data)).toBe(true);
  });

  it("changes nothing with dryRun and only says what it would do", async () => {
    const repo = await makeRepo("repo3", { "bmhost-a.20270301.txt": "a" });
    const remote = path.join(work, "remote3");
    await makeRepo("remote3", { "bmhost-a.20270101.txt": "old" });
    const logs: string[] = [];
    await runUpload(settings(remote), { repository: repo, prefix: "bmhost", now: NOW, ttlDays: 5, dryRun: true, callbacks: { onLog: (l) => logs.push(l) } });
    expect(await readdir(remote)).toEqual(["bmhost-a.20270101.txt"]);
    expect(logs).toEqual([
      `Would upload "bmhost-a.20270301.txt" to "sftp://${sshd.user}@127.0.0.1:${sshd.port}${remote}".`,
      `Would remove remote archive "${remote}/bmhost-a.20270101.txt".`,
    ]);
  });

  it("fails the run with a clear error when the only host is unreachable", async () => {
    const repo = await makeRepo("repo4", { "bmhost-a.20270301.txt": "a" });
    const s = settings("/tmp/unused");
    s.hosts[0].port = 1;
    await expect(runUpload(s, { repository: repo, prefix: "bmhost", now: NOW, ttlDays: 5 })).rejects.toThrow(
      'Cannot connect to SFTP host "127.0.0.1:1": connection refused',
    );
  });
});
