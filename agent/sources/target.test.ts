// Restore targets, local and over SFTP (real sshd): mkdir -p, atomic writes that refuse to overwrite unless
// told, symlinks, modes, owners and times, non-UTF-8 names.
import { randomBytes } from "node:crypto";
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "@/agent/engines/archive/upload/test-sshd";
import { CLOSED_PORT, sshTestHost } from "./ssh/test-host";
import { openHostTarget, type Target } from "./target";

let sshd: TestSshd;
let dir: string;
beforeAll(async () => {
  sshd = await startTestSshd();
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-target-"));
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const latin = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1

async function open(kind: "local" | "sftp", root: string): Promise<Target> {
  const { host, stateDir } = await sshTestHost(sshd, dir, { local: kind === "local" });
  return openHostTarget(host, root, { stateDir });
}

describe.each(["local", "sftp"] as const)("restore target (%s)", (kind) => {
  it("creates the root and nested directories, writes files atomically with mode and time", async () => {
    const root = path.join(dir, kind, "a", "b");
    const t = await open(kind, root);
    await t.mkdirp(Buffer.from("x/y/z"), 0o750);
    await t.mkdirp(Buffer.from("x/y")); // existing: fine
    const big = randomBytes(1_000_003);
    expect(await t.writeFile(Buffer.from("x/y/z/big.bin"), Readable.from([big.subarray(0, 10), big.subarray(10)]), { mode: 0o640, overwrite: false })).toBe(big.length);
    await t.utimes(Buffer.from("x/y/z/big.bin"), 1_600_000_000);
    await t.chmod(Buffer.from("x"), 0o700);
    const file = path.join(root, "x/y/z/big.bin");
    expect((await readFile(file)).equals(big)).toBe(true);
    const st = await stat(file);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(Math.floor(st.mtimeMs / 1000)).toBe(1_600_000_000);
    expect((await stat(path.join(root, "x"))).mode & 0o7777).toBe(0o700);
    expect(await readdir(path.join(root, "x/y/z"))).toEqual(["big.bin"]); // no temporary file left
    expect(await t.exists(Buffer.from("x/y/z/big.bin"))).toBe(true);
    expect(await t.exists(Buffer.from("x/nope"))).toBe(false);
    await t.close();
  });

  it("refuses to overwrite an existing file or symlink unless told, and then replaces it", async () => {
    const root = path.join(dir, kind, "over");
    const t = await open(kind, root);
    await writeFile(path.join(root, "keep.txt"), "original");
    await expect(t.writeFile(Buffer.from("keep.txt"), Readable.from([Buffer.from("new")]), { overwrite: false })).rejects.toMatchObject({
      code: "EEXIST",
      message: expect.stringMatching(/keep\.txt" already exists/),
    });
    expect(await readFile(path.join(root, "keep.txt"), "utf8")).toBe("original");
    await t.writeFile(Buffer.from("keep.txt"), Readable.from([Buffer.from("new")]), { overwrite: true });
    expect(await readFile(path.join(root, "keep.txt"), "utf8")).toBe("new");
    await t.symlink(Buffer.from("link"), Buffer.from("keep.txt"), { overwrite: false });
    await expect(t.symlink(Buffer.from("link"), Buffer.from("other"), { overwrite: false })).rejects.toMatchObject({ code: "EEXIST" });
    await t.symlink(Buffer.from("link"), Buffer.from("dangling/target"), { overwrite: true });
    expect(await readlink(path.join(root, "link"))).toBe("dangling/target");
    expect((await readdir(root)).sort()).toEqual(["keep.txt", "link"]);
    await t.close();
  });

  it("keeps non-UTF-8 names as bytes, and sets owners it may (its own)", async () => {
    const root = path.join(dir, kind, "names");
    const t = await open(kind, root);
    await t.writeFile(latin, Readable.from([Buffer.from("é")]), { overwrite: false });
    const names = (await readdir(Buffer.from(root), { encoding: "buffer" })) as Buffer[];
    expect(names.map((n) => n.toString("hex"))).toEqual([latin.toString("hex")]);
    const me = os.userInfo();
    expect(await t.chown(latin, me.uid, me.gid)).toBe(true);
    if (me.uid !== 0) expect(await t.chown(latin, 0, 0)).toBe(false); // not permitted: reported, not thrown
    await t.symlink(Buffer.from("l"), Buffer.from("café-target"), { overwrite: false });
    if (me.uid === 0) {
      expect(await t.chown(Buffer.from("l"), 4242, 4242)).toBe(true);
      expect((await lstat(path.join(root, "l"))).uid).toBe(4242);
    }
    await t.close();
  });
});

describe("restore target failures", () => {
  it("names an unreachable host and a root that cannot be made", async () => {
    const { host, stateDir } = await sshTestHost(sshd, dir, { port: CLOSED_PORT });
    await expect(openHostTarget(host, "/tmp/x", { stateDir })).rejects.toThrow(/connection refused/);
    await writeFile(path.join(dir, "a-file"), "x");
    const ok = await sshTestHost(sshd, dir);
    await expect(openHostTarget(ok.host, path.join(dir, "a-file", "sub"), ok)).rejects.toThrow(/Cannot create restore target ".*a-file\/sub" on "test-host"/);
    await expect(openHostTarget(ok.host, "relative/path", ok)).rejects.toThrow(/must be an absolute path/);
  });
});
