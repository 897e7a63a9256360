import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashFile, pruneSha256Manifest, readSumsFile, recordArchiveHashes } from "./hashes";
import { extractFixture, sh, tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

describe("checksum files", () => {
  it("writes P-hashes.md5 exactly as backup-manager does: md5, two spaces, basename, append order", async () => {
    const t = tempDir("hashes");
    cleanup = t.cleanup;
    writeFileSync(path.join(t.dir, "h-a.20270101.master.tar.gz"), "one");
    writeFileSync(path.join(t.dir, "h-a.20270102.tar.gz"), "two");
    await recordArchiveHashes(t.dir, "h", "h-a.20270101.master.tar.gz");
    await recordArchiveHashes(t.dir, "h", "h-a.20270102.tar.gz");
    const md5 = readFileSync(path.join(t.dir, "h-hashes.md5"), "utf8");
    expect(md5).toBe(sh(["md5sum", "h-a.20270101.master.tar.gz", "h-a.20270102.tar.gz"], { cwd: t.dir }));
    expect(sh(["sha256sum", "-c", "h-hashes.sha256"], { cwd: t.dir })).toContain("h-a.20270102.tar.gz: OK");
  });

  it("replaces the line of a rebuilt archive in place and prunes only the SHA-256 manifest", async () => {
    const t = tempDir("hashes");
    cleanup = t.cleanup;
    for (const n of ["h-a.20270101.master.tar.gz", "h-a.20270102.tar.gz"]) {
      writeFileSync(path.join(t.dir, n), n);
      await recordArchiveHashes(t.dir, "h", n);
    }
    writeFileSync(path.join(t.dir, "h-a.20270101.master.tar.gz"), "rebuilt");
    await recordArchiveHashes(t.dir, "h", "h-a.20270101.master.tar.gz");
    const lines = readFileSync(path.join(t.dir, "h-hashes.md5"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${(await hashFile(path.join(t.dir, "h-a.20270101.master.tar.gz"))).md5}  h-a.20270101.master.tar.gz`);
    await pruneSha256Manifest(t.dir, "h", ["h-a.20270101.master.tar.gz"]);
    expect([...(await readSumsFile(path.join(t.dir, "h-hashes.sha256"))).keys()]).toEqual(["h-a.20270102.tar.gz"]);
    expect((await readSumsFile(path.join(t.dir, "h-hashes.md5"))).size).toBe(2);
  });

  it("reads the md5 file of the real backup-manager fixture and agrees with the archives", async () => {
    const t = tempDir("hashes");
    cleanup = t.cleanup;
    const repo = extractFixture(t.dir);
    const sums = await readSumsFile(path.join(repo, "bmhost-hashes.md5"));
    expect(sums.size).toBe(12);
    for (const [name, md5] of sums) expect((await hashFile(path.join(repo, name))).md5).toBe(md5);
  });
});
