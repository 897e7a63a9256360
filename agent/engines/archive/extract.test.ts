import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { extractMember, listMembers } from "./extract";
import { readIndex } from "./index-format";
import type { TarballType } from "./naming";
import { runTarballMethod } from "./tarball";
import { extractFixture, sh, tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const BLOCK = 64 * 1024;

async function readAll(archive: string, member: string) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (b: Buffer) => chunks.push(b));
  const stats = await extractMember(archive, member, out);
  return { data: Buffer.concat(chunks), stats };
}

/** A tree of ~120 files (mixed sizes, a long name, a hard link) in a temp dir; returns its paths. */
function makeTree(root: string): string {
  const data = path.join(root, "src");
  for (let d = 0; d < 6; d++) {
    mkdirSync(path.join(data, `dir${d}`), { recursive: true });
    for (let f = 0; f < 20; f++) {
      const size = (d * 20 + f) % 7 === 0 ? 150_000 : 1 + ((d * 977 + f * 131) % 9000);
      const body = f % 2 ? randomBytes(size) : Buffer.alloc(size, `line ${d}/${f}\n`);
      writeFileSync(path.join(data, `dir${d}`, `file-${f}.bin`), body);
    }
  }
  const long = path.join(data, "x".repeat(120), "y".repeat(60));
  mkdirSync(long, { recursive: true });
  writeFileSync(path.join(long, "deep.txt"), "deep\n");
  sh(["ln", path.join(data, "dir0", "file-1.bin"), path.join(data, "hardlink.bin")]);
  return data;
}

async function build(dir: string, data: string, type: TarballType): Promise<string> {
  const repo = path.join(dir, "repo");
  mkdirSync(repo, { recursive: true });
  const res = await runTarballMethod(
    { repository: repo, prefix: "h", now: new Date(2027, 2, 1), permissions: {}, purgeDuplicates: false, callbacks: {}, blockSize: BLOCK },
    { targets: [data], nameFormat: "long", fileType: type, blacklist: [], dumpSymlinks: false },
  );
  return path.join(repo, res.outputs[0]);
}

const TEST_TOOL: Partial<Record<TarballType, string[]>> = {
  "tar.gz": ["gzip", "-t"],
  "tar.bz2": ["bzip2", "-t"],
  "tar.xz": ["xz", "-t"],
  "tar.zst": ["zstd", "-q", "-t"],
};

describe("random access through the index", () => {
  for (const type of ["tar", "tar.gz", "tar.bz2", "tar.xz", "tar.zst"] as TarballType[]) {
    it(`returns the same bytes as tar -x for every member of a ${type} archive, reading little for the last one`, async () => {
      const t = tempDir(`ex-${type}`);
      cleanup = t.cleanup;
      const data = makeTree(t.dir);
      const archive = await build(t.dir, data, type);
      if (TEST_TOOL[type]) sh([...TEST_TOOL[type]!, archive]);
      const out = path.join(t.dir, "out");
      mkdirSync(out);
      sh(["tar", "-x", "-f", archive, "-C", out]);
      const index = (await readIndex(archive))!;
      if (type !== "tar") expect(index.blocks.length).toBeGreaterThan(10);
      const files = index.members.filter((m) => m.t === "0" || m.t === "1");
      expect(files.length).toBe(122);
      // bzip2/xz blocks decompress through a child process each: check every 4th member there.
      const step = type === "tar.bz2" || type === "tar.xz" ? 4 : 1;
      for (const m of files.filter((_, i) => i % step === 0 || i === files.length - 1)) {
        const { data: got } = await readAll(archive, m.n);
        expect(got.equals(readFileSync(path.join(out, m.n))), m.n).toBe(true);
      }
      const last = files[files.length - 1];
      const { stats } = await readAll(archive, "/" + last.n);
      expect(stats.route).toBe("index");
      expect(stats.bytesRead).toBeLessThan(Math.max(3 * BLOCK, last.s + 2 * BLOCK));
      expect(stats.bytesRead).toBeLessThan(statSync(archive).size / 4);
    });
  }

  it("reports the archive and offset of a corrupt block and still reads members elsewhere", async () => {
    const t = tempDir("ex-corrupt");
    cleanup = t.cleanup;
    const data = makeTree(t.dir);
    const archive = await build(t.dir, data, "tar.gz");
    const index = (await readIndex(archive))!;
    const [, c] = index.blocks[5];
    const fd = openSync(archive, "r+");
    writeSync(fd, Buffer.alloc(64, 0x55), 0, 64, c + 40);
    closeSync(fd);
    const files = index.members.filter((m) => m.t === "0");
    const hit = files.find((m) => m.d < index.blocks[6][0] && m.d + m.s > index.blocks[5][0])!;
    await expect(readAll(archive, hit.n)).rejects.toThrow(`Cannot read member "${hit.n}" of "${archive}": corrupt block at offset ${c}`);
    const first = files[0];
    expect((await readAll(archive, first.n)).data.equals(readFileSync("/" + first.n))).toBe(true);
  });

  it("reads zip members through the central directory and lists them", async () => {
    const t = tempDir("ex-zip");
    cleanup = t.cleanup;
    const data = makeTree(t.dir);
    const archive = await build(t.dir, data, "zip");
    const members = await listMembers(archive);
    const files = members.filter((m) => m.type === "file");
    expect(files.length).toBe(122);
    for (const m of files.slice(0, 40)) {
      const { data: got, stats } = await readAll(archive, m.name);
      expect(got.equals(readFileSync("/" + m.name)), m.name).toBe(true);
      expect(stats.route).toBe("zip");
    }
  });

  it("falls back to a full scan for archives written by backup-manager (no index)", async () => {
    const t = tempDir("ex-bm");
    cleanup = t.cleanup;
    const repo = extractFixture(t.dir);
    const archive = path.join(repo, "bmhost-tmp-bmfix-data.20270112.tar.gz");
    const { data, stats } = await readAll(archive, "tmp/bmfix/data/a.txt");
    expect(data.toString()).toBe("alpha v3\n");
    expect(stats.route).toBe("scan");
    await expect(readAll(archive, "tmp/bmfix/data/nope")).rejects.toThrow(`Member "tmp/bmfix/data/nope" not found in "${archive}"`);
    expect((await listMembers(archive)).map((m) => m.name)).toContain("tmp/bmfix/data/a.txt");
  });
});
