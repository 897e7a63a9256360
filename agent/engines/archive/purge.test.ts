import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSumsFile, recordArchiveHashes } from "./hashes";
import { INDEX_SUFFIX } from "./index-format";
import { planPurge, purgeDay, purgeDuplicates, purgeRepository } from "./purge";
import { extractFixture, tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const FIX = "bmhost-tmp-bmfix-data";
const fixtureName = (d: string) => `${FIX}.2027${d}${["0101", "0104", "0111"].includes(d) ? ".master" : ""}.tar.gz`;
const removedBy = (names: string[], today: string, ttlDays: number, strict = true, prefix = "bmhost") =>
  planPurge(names, { prefix, strict, ttlDays, today })
    .filter((v) => v.remove)
    .map((v) => v.name);

describe("TTL purge", () => {
  it("computes backup-manager's purge date (today minus TTL days)", () => {
    expect(purgeDay("20270105", 3)).toBe("20270102");
    expect(purgeDay("20270301", 1)).toBe("20270228");
  });

  it("purges whole chains of the real fixture repository, never leaving an incremental without its master", async () => {
    const t = tempDir("purge");
    cleanup = t.cleanup;
    const repo = extractFixture(t.dir);
    const all = readdirSync(repo);
    // 01-05, TTL 3: backup-manager would drop 0101M and 0102 and orphan 0103; the chain stays whole instead.
    expect(removedBy(all, "20270105", 3)).toEqual([]);
    expect(removedBy(all, "20270106", 3)).toEqual(["0101", "0102", "0103"].map(fixtureName));
    const second = ["0104", "0105", "0106", "0107", "0108", "0109", "0110"].map(fixtureName);
    expect(removedBy(all, "20270112", 3)).toEqual(["0101", "0102", "0103"].map(fixtureName));
    expect(removedBy(all, "20270114", 3)).toEqual([...["0101", "0102", "0103"].map(fixtureName), ...second]);
    // The newest master and its incrementals are never purged, whatever the TTL.
    expect(removedBy(all, "20280101", 0)).not.toContain(fixtureName("0111"));
    expect(removedBy(all, "20280101", 0)).not.toContain(fixtureName("0112"));

    const logs: string[] = [];
    const dry = await purgeRepository(repo, { prefix: "bmhost", strict: true, ttlDays: 3, today: "20270114" }, {
      dryRun: true,
      onLog: (l) => logs.push(l),
    });
    expect(dry.removed).toHaveLength(10);
    expect(logs[0]).toBe(`Would remove archive "${path.join(repo, fixtureName("0101"))}".`);
    expect(readdirSync(repo)).toHaveLength(all.length);

    await purgeRepository(repo, { prefix: "bmhost", strict: true, ttlDays: 3, today: "20270114" });
    expect(readdirSync(repo).sort()).toEqual(
      ["bmhost-hashes.md5", fixtureName("0111"), fixtureName("0112"), `${FIX}.incremental.bin`].sort(),
    );
  });

  it("keeps TTL days of plain tarballs, dumps and md5 files, and respects strict purge", () => {
    const names = [
      ...["01", "02", "03", "04"].map((d) => `h-etc.202703${d}.master.tar.gz`),
      ...["01", "02", "03", "04"].map((d) => `h-mysql-shop.202703${d}.sql.bz2`),
      "h-20270301.md5",
      "other-etc.20270301.master.tar.gz",
      "other-etc.20270302.master.tar.gz",
      "other-etc.20270303.tar.gz",
      "other-pipe.20270301.txt",
      "h-hashes.md5",
      "notes.txt",
      "h-etc.incremental.bin",
    ];
    expect(removedBy(names, "20270305", 2, true, "h")).toEqual([
      "h-20270301.md5",
      "h-etc.20270301.master.tar.gz",
      "h-etc.20270302.master.tar.gz",
      "h-etc.20270303.master.tar.gz",
      "h-mysql-shop.20270301.sql.bz2",
      "h-mysql-shop.20270302.sql.bz2",
      "h-mysql-shop.20270303.sql.bz2",
      "other-etc.20270301.master.tar.gz",
    ]);
    expect(removedBy(names, "20270305", 2, false, "h")).toContain("other-pipe.20270301.txt");
    expect(removedBy(names, "20270305", 2, false, "h")).not.toContain("other-etc.20270302.master.tar.gz");
  });

  it("removes index sidecars and SHA-256 manifest lines with their archives", async () => {
    const t = tempDir("purge");
    cleanup = t.cleanup;
    for (const d of ["01", "02"]) {
      const n = `h-etc.202703${d}.master.tar.gz`;
      writeFileSync(path.join(t.dir, n), d);
      writeFileSync(path.join(t.dir, n + INDEX_SUFFIX), "{}");
      await recordArchiveHashes(t.dir, "h", n);
    }
    const res = await purgeRepository(t.dir, { prefix: "h", strict: true, ttlDays: 1, today: "20270303" });
    expect(res.removed).toEqual(["h-etc.20270301.master.tar.gz"]);
    expect(existsSync(path.join(t.dir, "h-etc.20270301.master.tar.gz" + INDEX_SUFFIX))).toBe(false);
    expect([...(await readSumsFile(path.join(t.dir, "h-hashes.sha256"))).keys()]).toEqual(["h-etc.20270302.master.tar.gz"]);
    expect((await readSumsFile(path.join(t.dir, "h-hashes.md5"))).size).toBe(2);
  });
});

describe("duplicate purge", () => {
  it("turns older identical archives of the same kind into hard links, never across master and incremental", async () => {
    const t = tempDir("dups");
    cleanup = t.cleanup;
    const put = (n: string, body: string) => writeFileSync(path.join(t.dir, n), body);
    put("h-src.20270301.master.tar.gz", "same");
    put("h-src.20270302.tar.gz", "same");
    put("h-src.20270303.tar.gz", "same");
    put("h-src.20270304.master.tar.gz", "same");
    put("h-src.20270305.tar.gz", "different");
    const logs: string[] = [];
    expect(await purgeDuplicates(t.dir, "h-src.20270303.tar.gz", "h", (l) => logs.push(l))).toEqual([
      "h-src.20270302.tar.gz",
    ]);
    expect(await purgeDuplicates(t.dir, "h-src.20270304.master.tar.gz", "h")).toEqual(["h-src.20270301.master.tar.gz"]);
    const ino = (n: string) => statSync(path.join(t.dir, n)).ino;
    expect(ino("h-src.20270302.tar.gz")).toBe(ino("h-src.20270303.tar.gz"));
    expect(ino("h-src.20270301.master.tar.gz")).toBe(ino("h-src.20270304.master.tar.gz"));
    expect(ino("h-src.20270301.master.tar.gz")).not.toBe(ino("h-src.20270303.tar.gz"));
    expect(logs[0]).toMatch(/h-src\.20270302\.tar\.gz is a duplicate of .*h-src\.20270303\.tar\.gz \(using hard link\)\.$/);
  });
});
