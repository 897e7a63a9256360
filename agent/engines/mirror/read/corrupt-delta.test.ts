import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { extractFixture, loadManifest } from "../format/test-fixture";
import { openRepository } from "./repository";
import { restoreToDirectory } from "./restore";
import { verifyAt } from "./verify";
import { openFileAt } from "./walk";
import { describeTree } from "./test-trees";

const S2 = 1711533600;
const A_INC = "a.txt.2024-03-30T11:00:00+01:00.diff.gz";
const BIG_INC = "big.txt.2024-03-25T11:00:00+01:00.diff.gz";

describe("a corrupted increment", () => {
  let fx: ReturnType<typeof extractFixture>;
  beforeAll(() => {
    fx = extractFixture();
    const inc = path.join(fx.repo, "rdiff-backup-data", "increments");
    writeFileSync(path.join(inc, A_INC), gzipSync(Buffer.from("this is not a librsync delta")));
    const big = readFileSync(path.join(inc, BIG_INC));
    writeFileSync(path.join(inc, BIG_INC), big.subarray(0, big.length - 12)); // truncated gzip
  });
  afterAll(() => fx.cleanup());

  it("fails that file's restore with a message naming the increment; other files still restore", async () => {
    const repo = await openRepository(fx.repo);
    const target = path.join(fx.root, "out");
    const res = await restoreToDirectory(repo, Buffer.alloc(0), S2, target);
    expect(res.status).toBe("partial");
    expect(res.errors.map((e) => e.path)).toEqual(["a.txt"]);
    expect(res.errors[0].message).toContain(A_INC);
    expect(res.errors[0].message).toMatch(/bad magic/);
    expect(existsSync(path.join(target, "a.txt"))).toBe(false);
    const tree = describeTree(target);
    const s2 = loadManifest().sessions[1];
    for (const e of s2.entries.filter((x) => x.type === "reg" && x.path !== "a.txt")) {
      expect(tree.get(e.path)?.sha1, e.path).toBe(e.sha1);
    }
  });

  it("fails a truncated gzip increment with its name, and streaming reads fail the same way", async () => {
    const repo = await openRepository(fx.repo);
    const res = await restoreToDirectory(repo, Buffer.from("big.txt"), 1711360800, path.join(fx.root, "big"));
    expect(res.status).toBe("partial");
    expect(res.errors[0].message).toContain(BIG_INC);
    const stream = await openFileAt(repo, Buffer.from("a.txt"), S2);
    await expect((async () => { for await (const _ of stream) void _; })()).rejects.toThrow(A_INC);
  });

  it("is reported by verify, which still checks the other files", async () => {
    const repo = await openRepository(fx.repo);
    const res = await verifyAt(repo, S2);
    expect(res.problems.map((p) => [p.path, p.kind])).toEqual([["a.txt", "unreadable"]]);
    expect(res.problems[0].message).toContain(A_INC);
    expect(res.verified).toBe(res.files - 1);
  });
});
