// The mirror engine pulling over SFTP from a real sshd, two sessions; the real rdiff-backup verifies the
// repository and restores both sessions byte-exact (non-UTF-8 names, hard links, symlinks, owners, modes).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "@/agent/engines/archive/upload/test-sshd";
import { backupSession } from "@/agent/engines/mirror";
import { copyTree, rdiffBackup, requireRdiffBackup } from "@/agent/engines/mirror/read/test-rdiff";
import { openHostSource } from "../open";
import { sshTestHost } from "./test-host";

let sshd: TestSshd;
let dir: string;
beforeAll(async () => {
  requireRdiffBackup();
  sshd = await startTestSshd();
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-sftp-mirror-"));
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const T1 = 1_700_000_000;
const latin = Buffer.from("caf\xe9.txt", "latin1");

function same(a: string, b: string): void {
  // diff -r compares names as bytes, file contents and symlink targets; exit 0 = identical trees.
  execFileSync("diff", ["-r", "--no-dereference", a, b]);
}

describe("mirror over SFTP", () => {
  it("backs up two sessions that rdiff-backup verifies and restores byte-exact", async () => {
    const src = path.join(dir, "src");
    await mkdir(path.join(src, "deep/er/still"), { recursive: true });
    await writeFile(path.join(src, "big.bin"), randomBytes(3_000_000));
    await writeFile(path.join(src, "deep/er/still/leaf.txt"), "leaf\n");
    await writeFile(Buffer.concat([Buffer.from(src + "/"), latin]), "latin-1 name\n");
    await writeFile(path.join(src, "a.txt"), "hard linked\n", { mode: 0o640 });
    await link(path.join(src, "a.txt"), path.join(src, "deep/a-link.txt"));
    await symlink("deep/er", path.join(src, "to-er"));
    await writeFile(path.join(src, "empty"), "");
    for (const f of ["big.bin", "a.txt", "empty"]) await utimes(path.join(src, f), T1 - 100, T1 - 100);

    const { host, stateDir } = await sshTestHost(sshd, dir);
    const repo = path.join(dir, "repo");
    const session = async (t: number) => {
      const source = await openHostSource(host, src, { stateDir });
      try {
        return await backupSession({ source, repo, currentTime: t });
      } finally {
        await source.close();
      }
    };
    await session(T1);
    const snap1 = path.join(dir, "snap1");
    copyTree(src, snap1);

    await writeFile(path.join(src, "deep/er/still/leaf.txt"), "leaf changed\n");
    await rm(path.join(src, "empty"));
    await writeFile(path.join(src, "new.txt"), "new\n");
    await session(T1 + 86_400);

    expect(rdiffBackup(["verify", repo]).status).toBe(0);
    for (const [at, expected] of [["now", src], [String(T1), snap1]] as const) {
      const out = path.join(dir, `restore-${at}`);
      const r = rdiffBackup(["restore", "--at", at, repo, out]);
      expect(r.status, r.stderr).toBe(0);
      same(expected, out);
      const [a, b] = [await lstat(path.join(out, "a.txt")), await lstat(path.join(out, "deep/a-link.txt"))];
      expect(a.ino).toBe(b.ino); // the hard link survived (inode found over exec)
      expect(a.mode & 0o777).toBe(0o640);
    }
  });
});
