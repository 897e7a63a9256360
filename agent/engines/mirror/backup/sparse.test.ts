// Sparse files stay sparse: Strata's mirror and Strata's restores leave holes where the data has whole
// zero blocks (as rdiff-backup does), and the bytes round-trip with the real rdiff-backup both ways.
import { promises as fsp } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestDiff, manifestOf, rdiffBackup, restoreWithRdiff, runAgent } from "./testing";

const T0 = 1_730_000_000;
const SIZE = 8 * 1024 * 1024 + 3;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "strata-sparse-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A sparse file: `head` at 0, optional `mid` at 4 MiB, "end" at 8 MiB, holes in between. */
async function sparseFile(file: string, head: string, mid: string | undefined, mtime: number): Promise<void> {
  const fh = await fsp.open(file, "w");
  await fh.write(Buffer.from(head), 0, head.length, 0);
  if (mid) await fh.write(Buffer.from(mid), 0, mid.length, 4 * 1024 * 1024);
  await fh.write(Buffer.from("end"), 0, 3, 8 * 1024 * 1024);
  await fh.close();
  await fsp.utimes(file, mtime, mtime);
}

/** Bytes the file really occupies on disk. */
async function allocated(file: string): Promise<number> {
  return (await fsp.stat(file)).blocks * 512;
}

async function expectSparseCopy(file: string, original: Buffer): Promise<void> {
  expect((await fsp.readFile(file)).equals(original), file).toBe(true);
  expect(await allocated(file), file).toBeLessThan(1024 * 1024);
}

describe("sparse files", () => {
  it("Strata writes holes in the mirror and its restores; rdiff-backup restores the same bytes", async () => {
    const src = path.join(tmp, "src"), repo = path.join(tmp, "repo");
    await fsp.mkdir(src);
    const file = path.join(src, "disk.img");
    await sparseFile(file, "start", undefined, T0 - 100);
    const v1 = await fsp.readFile(file);
    expect(v1.length).toBe(SIZE);
    expect((await runAgent(["backup", "--current-time", String(T0), src, repo])).code).toBe(0);
    await expectSparseCopy(path.join(repo, "disk.img"), v1);

    await sparseFile(file, "start", "middle", T0 + 100);
    const v2 = await fsp.readFile(file);
    const tree2 = await manifestOf(src);
    expect((await runAgent(["backup", "--current-time", String(T0 + 3600), src, repo])).code).toBe(0);
    await expectSparseCopy(path.join(repo, "disk.img"), v2);

    const out1 = path.join(tmp, "out1");
    const r = await runAgent(["restore", repo, out1, "--at", String(T0)], {}, true);
    expect(r.code, r.stderr).toBe(0);
    await expectSparseCopy(path.join(out1, "disk.img"), v1);

    const byRdiff = path.join(tmp, "rdiff-out");
    await restoreWithRdiff(repo, T0, byRdiff);
    expect((await fsp.readFile(path.join(byRdiff, "disk.img"))).equals(v1)).toBe(true);
    expect(manifestDiff(tree2, await restoreWithRdiff(repo, T0 + 3600, byRdiff))).toEqual([]);
  });

  it("Strata restores a sparse file of a repository rdiff-backup wrote, with holes", async () => {
    const src = path.join(tmp, "src-rb"), repo = path.join(tmp, "repo-rb");
    await fsp.mkdir(src);
    const file = path.join(src, "disk.img");
    await sparseFile(file, "head", "mid", T0 - 100);
    const v1 = await fsp.readFile(file);
    expect((await rdiffBackup(["--current-time", String(T0), "backup", src, repo])).code).toBe(0);
    await sparseFile(file, "HEAD", undefined, T0 + 100);
    expect((await rdiffBackup(["--current-time", String(T0 + 3600), "backup", src, repo])).code).toBe(0);
    const out = path.join(tmp, "out-rb");
    const r = await runAgent(["restore", repo, out, "--at", String(T0)], {}, true);
    expect(r.code, r.stderr).toBe(0);
    await expectSparseCopy(path.join(out, "disk.img"), v1);
  });
});
