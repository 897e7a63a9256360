// The SFTP source and SSH connection against a real OpenSSH sshd: host-key pinning, failures named clearly,
// owners, large and concurrent reads, and the agent's own key.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "@/agent/engines/archive/upload/test-sshd";
import { connectToHost, openHostSource } from "../open";
import type { Source } from "../types";
import { ensureAgentKey, loadAgentKey } from "./agent-key";
import type { ConnectStep } from "./connect";
import { parseLongname } from "./sftp-source";
import { CLOSED_PORT, sshTestHost } from "./test-host";

let sshd: TestSshd;
let dir: string;
beforeAll(async () => {
  sshd = await startTestSshd();
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-sftp-"));
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function readAll(s: Source, p: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await s.openRead(Buffer.from(p))) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("SFTP source", () => {
  it("reads large files with pipelined requests, several at once, byte-exact", async () => {
    const root = path.join(dir, "big");
    await mkdir(root);
    const blobs = [randomBytes(3 * 1024 * 1024 + 17), randomBytes(65_536), randomBytes(1), randomBytes(700_001)];
    for (const [i, b] of blobs.entries()) await writeFile(path.join(root, `f${i}`), b);
    const { host, stateDir } = await sshTestHost(sshd, dir);
    const s = await openHostSource(host, root, { stateDir });
    const got = await Promise.all(blobs.map((_, i) => readAll(s, `f${i}`)));
    got.forEach((g, i) => expect(g.equals(blobs[i])).toBe(true));
    const listed = await s.list(Buffer.alloc(0));
    expect(listed.map((e) => e.size)).toEqual(blobs.map((b) => b.length));
    // A read stream given the listed size reads the same bytes.
    const chunks: Buffer[] = [];
    for await (const c of await s.openRead(Buffer.from("f3"), blobs[3].length)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(blobs[3])).toBe(true);
    await s.close();
  });

  it("reads a file to its real end when it grew or shrank since it was listed", async () => {
    const root = path.join(dir, "changing");
    await mkdir(root);
    const data = randomBytes(200_000);
    await writeFile(path.join(root, "f"), data);
    const { host, stateDir } = await sshTestHost(sshd, dir);
    const s = await openHostSource(host, root, { stateDir });
    for (const hint of [0, 1, 65_536, 150_000, 199_999, 200_000, 200_001, 1_000_000]) {
      const chunks: Buffer[] = [];
      for await (const c of await s.openRead(Buffer.from("f"), hint)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(data), `size hint ${hint}`).toBe(true);
    }
    await s.close();
  });

  it("lists a deep tree in walk order with listings prefetched ahead, skipping directories the walk does not enter", async () => {
    const root = path.join(dir, "deep");
    const make = async (rel: string, depth: number) => {
      await mkdir(path.join(root, rel), { recursive: true });
      await writeFile(path.join(root, rel, "file"), rel);
      if (depth === 0) return;
      for (const n of ["a", "skip", "b", "c"]) await make(path.join(rel, n), depth - 1);
    };
    await make("", 3);
    const { host, stateDir } = await sshTestHost(sshd, dir);
    const s = await openHostSource(host, root, { stateDir });
    const seen: string[] = [];
    const walk = async (rel: string) => {
      for (const e of await s.list(Buffer.from(rel))) {
        const child = rel ? `${rel}/${e.name}` : e.name.toString();
        seen.push(`${child}:${e.type}`);
        if (e.type === "dir" && e.name.toString() !== "skip") await walk(child);
      }
    };
    await walk("");
    const expected: string[] = [];
    const local = async (rel: string) => {
      const names = (await readdir(path.join(root, rel), { withFileTypes: true })).sort((x, y) => Buffer.compare(Buffer.from(x.name), Buffer.from(y.name)));
      for (const d of names) {
        const child = rel ? `${rel}/${d.name}` : d.name;
        expected.push(`${child}:${d.isDirectory() ? "dir" : "file"}`);
        if (d.isDirectory() && d.name !== "skip") await local(child);
      }
    };
    await local("");
    expect(seen).toEqual(expected);
    expect(seen.length).toBe(92);
    await s.close();
  });

  it("reads small files ahead when a directory is read in order, and not when files are read out of order", async () => {
    const root = path.join(dir, "ahead");
    await mkdir(path.join(root, "d"), { recursive: true });
    const names = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, "0")}`);
    const blobs = names.map((_, i) => randomBytes(i * 997));
    for (const [i, n] of names.entries()) await writeFile(path.join(root, "d", n), blobs[i]);
    const { host, stateDir } = await sshTestHost(sshd, dir);
    const s = await openHostSource(host, root, { stateDir });
    const files = await s.list(Buffer.from("d"));
    const read = (n: string) => readAll(s, `d/${n}`);
    // In order: after f00 and f01, the following files were fetched before they are asked for, so removing
    // one on the host now does not stop the reader from getting the bytes it listed.
    expect((await read("f00")).equals(blobs[0])).toBe(true);
    expect((await read("f01")).equals(blobs[1])).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    await rm(path.join(root, "d/f03"));
    for (let i = 2; i < 40; i++) expect((await readAll(s, `d/${names[i]}`)).equals(blobs[i]), names[i]).toBe(true);
    expect(files.map((f) => f.size)).toEqual(blobs.map((b) => b.length));
    await s.close();

    // Out of order (an incremental session reading changed files only): nothing is read ahead.
    const s2 = await openHostSource(host, root, { stateDir });
    await s2.list(Buffer.from("d"));
    expect((await readAll(s2, "d/f20")).equals(blobs[20])).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    await rm(path.join(root, "d/f21"));
    await expect(readAll(s2, "d/f21")).rejects.toThrow(/no such file|ENOENT/i);
    await s2.close();
  });

  it("streams a file read ahead that grew after it was listed, to its real end", async () => {
    const root = path.join(dir, "ahead-grew");
    await mkdir(root);
    await writeFile(path.join(root, "a"), "a");
    await writeFile(path.join(root, "b"), "small");
    const { host, stateDir } = await sshTestHost(sshd, dir);
    const s = await openHostSource(host, root, { stateDir });
    const [, b] = await s.list(Buffer.alloc(0));
    const grown = randomBytes(300_000);
    await writeFile(path.join(root, "b"), grown);
    expect((await readAll(s, "a")).toString()).toBe("a");
    const chunks: Buffer[] = [];
    for await (const c of await s.openRead(Buffer.from("b"), b.size)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(grown)).toBe(true);
    await s.close();
  });

  it("reports owner uid/gid and names as the host knows them", async () => {
    const root = path.join(dir, "owners");
    await mkdir(root);
    await writeFile(path.join(root, "mine"), "x");
    const { host, stateDir } = await sshTestHost(sshd, dir);
    const s = await openHostSource(host, root, { stateDir });
    const [e] = await s.list(Buffer.alloc(0));
    const st = await stat(path.join(root, "mine"));
    expect(e).toMatchObject({ uid: st.uid, gid: st.gid, uname: os.userInfo().username });
    await s.close();
  });

  it("names a missing source path clearly", async () => {
    const { host, stateDir } = await sshTestHost(sshd, dir);
    await expect(openHostSource(host, path.join(dir, "nope"), { stateDir })).rejects.toThrow(/Cannot open source ".*nope" on "test-host".*no such file or directory/);
  });

  it("refuses a changed host key, naming both fingerprints, unless the console accepted it meanwhile", async () => {
    const old = "SHA256:" + "A".repeat(43);
    const { host, stateDir } = await sshTestHost(sshd, dir, { hostKeyFingerprint: old });
    const err = await openHostSource(host, dir, { stateDir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(old);
    expect((err as Error).message).toContain(sshd.hostKeyFingerprint);
    expect((err as Error).message).toMatch(/has changed.*Refusing to connect/);
    // The console is asked (it records the key as pending): "mismatch" refuses, an accepted key connects.
    const reported: string[] = [];
    const refused = await openHostSource(host, dir, { stateDir, checkHostKey: async (_h, fp) => (reported.push(fp), false) }).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/has changed: pinned SHA256:A+, presented SHA256:/);
    expect(reported).toEqual([sshd.hostKeyFingerprint]);
    const accepted = await openHostSource(host, dir, { stateDir, checkHostKey: async (_h, fp) => fp === sshd.hostKeyFingerprint });
    expect((await accepted.stat(Buffer.alloc(0))).type).toBe("dir");
    await accepted.close();
  });

  it("asks checkHostKey for an unpinned host, and refuses when it says no", async () => {
    const { host, stateDir } = await sshTestHost(sshd, dir, { hostKeyFingerprint: null });
    const asked: string[] = [];
    const steps: ConnectStep[] = [];
    const ok = await connectToHost(host, { stateDir, checkHostKey: async (_h, fp) => (asked.push(fp), true), onStep: (s) => steps.push(s) });
    expect(ok.fingerprint).toBe(sshd.hostKeyFingerprint);
    ok.client.end();
    expect(asked).toEqual([sshd.hostKeyFingerprint]);
    expect(steps.map((s) => [s.step, s.ok])).toEqual([["connect", true], ["host-key", true], ["authenticate", true]]);
    await expect(connectToHost(host, { stateDir, checkHostKey: async () => false })).rejects.toThrow(/refused by the console: presented SHA256:/);
    await expect(connectToHost(host, { stateDir })).rejects.toThrow(/no pinned host key/);
    await expect(connectToHost(host, { stateDir, checkHostKey: async () => { throw new Error("console down"); } })).rejects.toThrow(/Cannot check the host key .* console down/);
  });

  it("names an unreachable port and a refused login", async () => {
    const { host, stateDir } = await sshTestHost(sshd, dir, { port: CLOSED_PORT });
    const steps: ConnectStep[] = [];
    await expect(connectToHost(host, { stateDir, onStep: (s) => steps.push(s) })).rejects.toThrow(/Cannot connect to "127.0.0.1:\d+": connection refused/);
    expect(steps).toMatchObject([{ step: "connect", ok: false }]);

    const other = await mkdtemp(path.join(dir, "stranger-"));
    const stranger = await sshTestHost(sshd, other);
    await rm(path.join(stranger.stateDir, "ssh_ed25519"));
    const key = await ensureAgentKey(stranger.stateDir); // a key the host does not know
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA/);
    const bad: ConnectStep[] = [];
    await expect(connectToHost(stranger.host, { stateDir: stranger.stateDir, onStep: (s) => bad.push(s) })).rejects.toThrow(/server refused the agent's key.*authorized_keys/);
    expect(bad.map((s) => [s.step, s.ok])).toEqual([["connect", true], ["host-key", true], ["authenticate", false]]);
  });
});

describe("agent SSH key", () => {
  it("is made once, private part 0600, and its public line matches ssh-keygen's", async () => {
    const stateDir = path.join(await mkdtemp(path.join(dir, "key-")), "state");
    const a = await ensureAgentKey(stateDir);
    const b = await ensureAgentKey(stateDir);
    expect(b).toEqual(a);
    expect((await stat(path.join(stateDir, "ssh_ed25519"))).mode & 0o777).toBe(0o600);
    const derived = execFileSync("ssh-keygen", ["-y", "-f", path.join(stateDir, "ssh_ed25519")], { encoding: "utf8" }).trim().split(" ").slice(0, 2).join(" ");
    expect(a.publicKey.split(" ").slice(0, 2).join(" ")).toBe(derived);
    expect((await readFile(path.join(stateDir, "ssh_ed25519.pub"), "utf8")).trim()).toBe(a.publicKey);
    expect(await loadAgentKey(path.join(dir, "absent"))).toBeNull();
  });

  it("refuses a damaged key rather than replacing it", async () => {
    const stateDir = await mkdtemp(path.join(dir, "bad-key-"));
    await writeFile(path.join(stateDir, "ssh_ed25519"), "garbage");
    await expect(ensureAgentKey(stateDir)).rejects.toThrow(/cannot be read/);
  });
});

describe("parseLongname", () => {
  it("reads link count, user and group", () => {
    expect(parseLongname(Buffer.from("-rw-r--r--    2 alice    staff         3 Jan  1 00:00 a b"))).toEqual({ nlink: 2, user: "alice", group: "staff" });
    expect(parseLongname(Buffer.from("garbage"))).toBeNull();
  });
});
