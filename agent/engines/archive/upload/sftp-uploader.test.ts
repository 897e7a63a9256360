import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchHostKeyFingerprint, normalizeFingerprint } from "./ssh-connect";
import { SftpUploader, type SftpDestination } from "./sftp-uploader";
import { freePort, startCuttingProxy, startTestSshd, type TestSshd } from "./test-sshd";
import { ConnectionLostError, type LocalFile } from "./uploader";

let sshd: TestSshd;
let work: string;
let key: Buffer;

beforeAll(async () => {
  sshd = await startTestSshd();
  work = await mkdtemp(path.join(os.tmpdir(), "strata-sftp-test-"));
  key = await readFile(sshd.userKeyPath);
});

afterAll(async () => {
  await sshd?.stop();
  await rm(work, { recursive: true, force: true });
});

function dest(directory: string, over: Partial<SftpDestination> = {}): SftpDestination {
  return {
    host: "127.0.0.1",
    port: sshd.port,
    user: sshd.user,
    privateKey: key,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    directory,
    ...over,
  };
}

async function localFile(name: string, size: number): Promise<LocalFile> {
  const data = randomBytes(size);
  const p = path.join(work, name);
  await writeFile(p, data);
  return { path: p, name, size, sha256: createHash("sha256").update(data).digest("hex") };
}

async function withUploader<T>(d: SftpDestination, fn: (u: SftpUploader) => Promise<T>): Promise<T> {
  const u = new SftpUploader(d);
  await u.connect();
  try {
    return await fn(u);
  } finally {
    await u.close();
  }
}

describe("SFTP uploader", () => {
  it("creates the destination, uploads through a .part file and renames it, verified by remote sha256sum", async () => {
    const remote = path.join(work, "remote1", "a", "b");
    const f = await localFile("bmhost-etc.20270301.master.tar.gz", 300_000);
    const out = await withUploader(dest(remote), async (u) => {
      await u.ensureDestination();
      return u.upload(f);
    });
    expect(out).toMatchObject({ bytesSent: f.size, resumedFrom: 0, verified: "sha256", skipped: false });
    expect(await readdir(remote)).toEqual([f.name]);
    expect((await readFile(path.join(remote, f.name))).equals(await readFile(f.path))).toBe(true);
    // A second upload of the same bytes sends nothing.
    const again = await withUploader(dest(remote), (u) => u.upload(f));
    expect(again).toMatchObject({ skipped: true, bytesSent: 0 });
  });

  it("resumes from the remote .part after the connection drops mid-upload and ends byte-identical", async () => {
    const remote = path.join(work, "remote2");
    const f = await localFile("bmhost-big.20270301.sql.gz", 6 * 1024 * 1024);
    const proxy = await startCuttingProxy(sshd.port, () => 2 * 1024 * 1024);
    try {
      const cut = withUploader(dest(remote, { host: "127.0.0.1", port: proxy.port }), async (u) => {
        await u.ensureDestination();
        return u.upload(f);
      });
      await expect(cut).rejects.toBeInstanceOf(ConnectionLostError);
      expect(proxy.cuts()).toBe(1);
      await proxy.settled();
    } finally {
      await proxy.stop();
    }
    // The server's sftp process may still be writing what it had received when the connection was cut:
    // wait until the .part stops growing before taking its size.
    const sizeOfPart = async () => (await stat(path.join(remote, `${f.name}.part`))).size;
    let partSize = await sizeOfPart();
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await sizeOfPart();
      if (now === partSize) break;
      partSize = now;
    }
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(f.size);
    expect(existsSync(path.join(remote, f.name))).toBe(false);

    const out = await withUploader(dest(remote), (u) => u.upload(f));
    expect(out.resumedFrom).toBe(partSize);
    expect(out.bytesSent).toBe(f.size - partSize);
    expect(out.verified).toBe("sha256");
    expect(await readdir(remote)).toEqual([f.name]);
    expect((await readFile(path.join(remote, f.name))).equals(await readFile(f.path))).toBe(true);
  });

  it("sends the whole file again when a resumed .part does not match the local bytes", async () => {
    const remote = path.join(work, "remote3");
    const f = await localFile("bmhost-x.20270301.txt", 100_000);
    await withUploader(dest(remote), (u) => u.ensureDestination());
    await writeFile(path.join(remote, `${f.name}.part`), randomBytes(40_000));
    const out = await withUploader(dest(remote), (u) => u.upload(f));
    expect(out).toMatchObject({ resumedFrom: 0, bytesSent: 60_000 + f.size, verified: "sha256" });
    expect((await readFile(path.join(remote, f.name))).equals(await readFile(f.path))).toBe(true);
  });

  it("refuses a host whose key does not match the pinned fingerprint", async () => {
    const wrong = "SHA256:" + createHash("sha256").update("other").digest("base64").replace(/=+$/, "");
    const u = new SftpUploader(dest(path.join(work, "never"), { hostKeyFingerprint: wrong }));
    await expect(u.connect()).rejects.toThrow(
      `Host key of "127.0.0.1:${sshd.port}" does not match the pinned fingerprint: expected "${wrong}", got "${sshd.hostKeyFingerprint}"; refusing to connect`,
    );
    expect(existsSync(path.join(work, "never"))).toBe(false);
  });

  it("reports an unreachable host clearly", async () => {
    const port = await freePort();
    const u = new SftpUploader(dest("/tmp/x", { port }));
    await expect(u.connect()).rejects.toThrow(`Cannot connect to SFTP host "127.0.0.1:${port}": connection refused`);
  });

  it("reports a refused login clearly", async () => {
    const other = await readFile(sshd.userKeyPath.replace("user_ed25519", "host_ed25519"));
    const u = new SftpUploader(dest("/tmp/x", { privateKey: other }));
    await expect(u.connect()).rejects.toThrow(`Cannot log in to "${sshd.user}@127.0.0.1:${sshd.port}": the server refused the key`);
  });

  it("reads the host key fingerprint for pinning, equal to ssh-keygen's", async () => {
    expect(await fetchHostKeyFingerprint("127.0.0.1", sshd.port)).toBe(sshd.hostKeyFingerprint);
    expect(normalizeFingerprint(sshd.hostKeyFingerprint.slice(7) + "=")).toBe(sshd.hostKeyFingerprint);
  });

  it("falls back to a size check on an SFTP-only account where exec is not allowed", async () => {
    const sftpOnly = await startTestSshd(["ForceCommand internal-sftp"]);
    try {
      const remote = path.join(work, "remote4");
      const f = await localFile("bmhost-y.20270301.txt", 70_000);
      const u = new SftpUploader({ ...dest(remote), port: sftpOnly.port, hostKeyFingerprint: sftpOnly.hostKeyFingerprint, privateKey: await readFile(sftpOnly.userKeyPath) });
      await u.connect();
      try {
        await u.ensureDestination();
        expect(await u.upload(f)).toMatchObject({ verified: "size", bytesSent: f.size, skipped: false });
      } finally {
        await u.close();
      }
      expect((await readFile(path.join(remote, f.name))).equals(await readFile(f.path))).toBe(true);
    } finally {
      await sftpOnly.stop();
    }
  });
});
