import { describe, expect, it } from "vitest";
import { chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OwnerMap } from "./owners";
import { openRepository } from "./repository";
import { restoreToDirectory } from "./restore";
import { rdiffBackup, requireRdiffBackup } from "./test-rdiff";

const isRoot = process.getuid?.() === 0;

describe("owners on restore", () => {
  it("prefers a recorded name that exists here, else keeps the number", () => {
    const m = new OwnerMap();
    expect(m.uid(4242, "root")).toBe(0);
    expect(m.uid(4242, "no-such-user-xyz")).toBe(4242);
    expect(m.uid(4242, null)).toBe(4242);
    expect(new OwnerMap(true).uid(4242, "root")).toBe(4242);
    expect(m.gid(4343, "root")).toBe(0);
  });

  it.runIf(isRoot)("(as root) gives files the owners the real rdiff-backup restore gives them", async () => {
    requireRdiffBackup();
    const dir = mkdtempSync(path.join(os.tmpdir(), "strata-owners-"));
    try {
      const src = path.join(dir, "src");
      mkdirSync(src);
      for (const [name, uid, gid] of [["numeric", 12345, 23456], ["nobody", 65534, 65534], ["rootfile", 0, 0]] as const) {
        writeFileSync(path.join(src, name), name);
        chownSync(path.join(src, name), uid, gid);
      }
      expect(rdiffBackup(["backup", src, path.join(dir, "repo")]).status).toBe(0);
      const repo = await openRepository(path.join(dir, "repo"));
      await restoreToDirectory(repo, Buffer.alloc(0), repo.mirrorTime, path.join(dir, "ours"));
      expect(rdiffBackup(["restore", path.join(dir, "repo"), path.join(dir, "theirs")]).status).toBe(0);
      for (const name of ["numeric", "nobody", "rootfile"]) {
        const a = lstatSync(path.join(dir, "ours", name)), b = lstatSync(path.join(dir, "theirs", name));
        expect([a.uid, a.gid], name).toEqual([b.uid, b.gid]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
