// The shared Source contract, run against the local and the in-memory implementation (and the faulty wrapper).
import { mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "@/agent/engines/archive/upload/test-sshd";
import { faultySource } from "./faulty";
import { openLocalSource } from "./local";
import { materialize } from "./materialize";
import { memorySource, type MemoryNode } from "./memory";
import { openHostSource } from "./open";
import { sshTestHost } from "./ssh/test-host";
import type { Source } from "./types";

const latin = Buffer.from([0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "fé.txt" in Latin-1: not UTF-8
const tree: Extract<MemoryNode, { type: "dir" }> = {
  type: "dir",
  mode: 0o750,
  mtime: 1_700_000_100,
  children: new Map<Buffer, MemoryNode>([
    [Buffer.from("b.txt"), { type: "file", data: "bee", mode: 0o600, mtime: 1_700_000_001, ino: 7 }],
    [Buffer.from("a.txt"), { type: "file", data: "alpha", mtime: 1_700_000_002 }],
    [Buffer.from("hard"), { type: "file", data: "bee", mode: 0o600, mtime: 1_700_000_001, ino: 7 }],
    [Buffer.from("B"), { type: "file", data: "", mtime: 1_700_000_003 }],
    [latin, { type: "file", data: Buffer.alloc(200_000, 7), mtime: 1_700_000_004 }],
    [Buffer.from("link"), { type: "symlink", target: "nowhere/at/all" }],
    [Buffer.from("sub"), { type: "dir", mtime: 1_700_000_005, children: { "x y": { type: "file", data: "x" } } }],
  ]),
};

async function readAll(s: Source, p: string | Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await s.openRead(Buffer.from(p))) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const dirs: string[] = [];
let sshd: TestSshd | undefined;
afterAll(async () => {
  await sshd?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const implementations: Array<[string, () => Promise<Source>]> = [
  ["memory", async () => memorySource(tree)],
  [
    "local through a symlinked root",
    async () => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), "strata-src-"));
      dirs.push(tmp);
      await materialize(path.join(tmp, "root"), tree);
      await symlink("root", path.join(tmp, "alias"));
      return openLocalSource(path.join(tmp, "alias"));
    },
  ],
  [
    "local",
    async () => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), "strata-src-"));
      dirs.push(tmp);
      await materialize(path.join(tmp, "root"), tree);
      return openLocalSource(path.join(tmp, "root"));
    },
  ],
  [
    "sftp (real sshd)",
    async () => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), "strata-src-"));
      dirs.push(tmp);
      await materialize(path.join(tmp, "root"), tree);
      sshd ??= await startTestSshd();
      const { host, stateDir } = await sshTestHost(sshd, tmp);
      return openHostSource(host, path.join(tmp, "root"), { stateDir });
    },
  ],
];

describe.each(implementations)("Source contract (%s)", (_name, open) => {
  it("lists a directory sorted bytewise with lstat entries", async () => {
    const s = await open();
    const names = (await s.list(Buffer.alloc(0))).map((e) => e.name);
    expect(names).toEqual([Buffer.from("B"), Buffer.from("a.txt"), Buffer.from("b.txt"), latin, Buffer.from("hard"), Buffer.from("link"), Buffer.from("sub")]);
  });

  it("reports type, mode, size and integer mtime", async () => {
    const s = await open();
    const e = await s.stat(Buffer.from("b.txt"));
    expect(e).toMatchObject({ type: "file", mode: 0o600, size: 3, mtime: 1_700_000_001 });
    expect((await s.stat(Buffer.from("sub"))).type).toBe("dir");
    expect((await s.stat(Buffer.alloc(0))).mode).toBe(0o750);
    expect((await s.stat(Buffer.from("link"))).type).toBe("symlink");
  });

  it("shows hard links as one inode with a link count", async () => {
    const s = await open();
    const [a, b] = [await s.stat(Buffer.from("b.txt")), await s.stat(Buffer.from("hard"))];
    expect(a.ino).toBe(b.ino);
    expect(a.nlink).toBe(2);
  });

  it("reads file bytes as a stream, including non-UTF-8 names and empty files", async () => {
    const s = await open();
    expect((await readAll(s, "a.txt")).toString()).toBe("alpha");
    expect((await readAll(s, latin)).equals(Buffer.alloc(200_000, 7))).toBe(true);
    expect((await readAll(s, "B")).length).toBe(0);
    expect((await readAll(s, "sub/x y")).toString()).toBe("x");
  });

  it("reads dangling symlink targets as bytes", async () => {
    const s = await open();
    expect((await s.readlink(Buffer.from("link"))).toString()).toBe("nowhere/at/all");
  });

  it("fails with ENOENT on a missing path", async () => {
    const s = await open();
    await expect(s.stat(Buffer.from("nope"))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(s.openRead(Buffer.from("nope"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("injects permission errors and mid-read failures through the faulty wrapper", async () => {
    const s = faultySource(await open(), {
      deny: new Map([["sub", "EACCES"], ["a.txt", "EACCES"]]),
      failReadAfter: new Map([[latin.toString("latin1"), 70_000]]),
    });
    await expect(s.list(Buffer.from("sub"))).rejects.toMatchObject({ code: "EACCES" });
    await expect(s.openRead(Buffer.from("a.txt"))).rejects.toMatchObject({ code: "EACCES" });
    await expect(readAll(s, latin)).rejects.toMatchObject({ code: "EIO" });
    expect((await readAll(s, "b.txt")).toString()).toBe("bee");
  });
});
