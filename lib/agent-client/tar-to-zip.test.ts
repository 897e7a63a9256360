// The zip and tar.gz re-packing of a tar stream, checked by the real readers: Info-ZIP's unzip and zipinfo,
// Python's zipfile, GNU tar and gzip. Trees made on disk and packed by GNU tar; a 70,000-entry tar by tar-stream.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarToGzip } from "./tar-gzip";
import { tarToZip } from "./tar-to-zip";

let base: string;
let tree: string;
const MTIME = 1767225600;
const text = (n: number) => Buffer.from(Array.from({ length: Math.ceil(n / 40) }, (_, i) => `line ${i} of a text that compresses well\n`).join("")).subarray(0, n);
const FILES: Record<string, Buffer> = {
  "big.txt": text(3 << 20), // several blocks, deflated
  "big.bin": randomBytes(3 << 20), // several blocks, stored after the sample
  "mid.bin": randomBytes(200 << 10), // one block, stored after the sample
  "small.txt": text(5000),
  "photo.jpg": text(9000), // stored by its type
  "empty": Buffer.alloc(0),
  "sub/déjà vu.txt": text(300),
  [`sub/${"long-name-".repeat(15)}.txt`]: text(700),
  "sub/..\\..\\evil.txt": text(100), // "\\" is a separator for Windows readers: written as "_"
};
const inZip = (name: string) => name.replace(/\\/g, "_");

async function collect(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.concat(parts);
}

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), "strata-tar-to-zip-"));
  tree = path.join(base, "tree");
  mkdirSync(path.join(tree, "sub/deeper"), { recursive: true });
  for (const [name, data] of Object.entries(FILES)) {
    writeFileSync(path.join(tree, name), data, { mode: name === "small.txt" ? 0o600 : 0o644 });
    utimesSync(path.join(tree, name), MTIME, MTIME);
  }
  symlinkSync("../big.txt", path.join(tree, "sub/link"));
  execFileSync("tar", ["-cf", path.join(base, "tree.tar"), "-C", base, "tree"]);
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("tarToZip", () => {
  it("re-packs files, folders and links so unzip and Python's zipfile restore the exact tree", async () => {
    const zip = await collect(tarToZip(createReadStream(path.join(base, "tree.tar"))).zip);
    const file = path.join(base, "tree.zip");
    writeFileSync(file, zip);
    execFileSync("unzip", ["-tqq", file]);
    expect(execFileSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip())", file]).toString().trim()).toBe("None");
    const out = path.join(base, "unzipped");
    execFileSync("unzip", ["-q", file, "-d", out]);
    for (const [name, data] of Object.entries(FILES)) {
      const p = path.join(out, "tree", inZip(name));
      expect(readFileSync(p).equals(data), name).toBe(true);
      expect(lstatSync(p).mtimeMs / 1000, name).toBe(MTIME);
    }
    expect(lstatSync(path.join(out, "tree/small.txt")).mode & 0o777).toBe(0o600);
    expect(readlinkSync(path.join(out, "tree/sub/link"))).toBe("../big.txt");
    expect(lstatSync(path.join(out, "tree/sub/deeper")).isDirectory()).toBe(true);
    // Methods: what shrinks is deflated, random bytes and known compressed types are stored.
    const methods = Object.fromEntries(
      execFileSync("zipinfo", ["-l", file]).toString().split("\n").filter((l) => /^[-dl]/.test(l)).map((l) => [l.split(/\s+/).slice(9).join(" "), l.split(/\s+/)[6]]),
    );
    expect(methods).toMatchObject({ "tree/big.txt": "defN", "tree/small.txt": "defN", "tree/big.bin": "stor", "tree/mid.bin": "stor", "tree/photo.jpg": "stor", "tree/empty": "stor" });
    expect(zip.length).toBeLessThan(Object.values(FILES).reduce((n, b) => n + b.length, 0));
  });

  it("stores every entry with compression=store", async () => {
    const file = path.join(base, "store.zip");
    writeFileSync(file, await collect(tarToZip(createReadStream(path.join(base, "tree.tar")), { compression: "store" }).zip));
    execFileSync("unzip", ["-tqq", file]);
    const lines = execFileSync("zipinfo", ["-l", file]).toString().split("\n").filter((l) => /^-/.test(l));
    expect(lines.length).toBe(Object.keys(FILES).length);
    expect(lines.some((l) => l.endsWith("tree/sub/.._.._evil.txt"))).toBe(true);
    expect(lines.every((l) => l.split(/\s+/)[6] === "stor")).toBe(true);
  });

  it("writes Zip64 end records for more than 65,535 entries, which unzip and zipfile read", async () => {
    const pack = tar.pack();
    const n = 70_000;
    (async () => {
      for (let i = 0; i < n; i++) await new Promise<void>((r, j) => pack.entry({ name: `d/f${i}`, size: 2, mtime: new Date(MTIME * 1000) }, Buffer.from("x\n"), (e) => (e ? j(e) : r())));
      pack.finalize();
    })();
    const file = path.join(base, "many.zip");
    writeFileSync(file, await collect(tarToZip(pack as unknown as AsyncIterable<Uint8Array>).zip));
    execFileSync("unzip", ["-tqq", file]);
    expect(execFileSync("unzip", ["-Z1", file], { maxBuffer: 1 << 26 }).toString().trim().split("\n").length).toBe(n);
    expect(execFileSync("python3", ["-c", "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))", file]).toString().trim()).toBe(String(n));
  }, 60_000);
});

describe("tarToGzip", () => {
  it("gzips the tar in parallel blocks into one member that gzip checks and unpacks to the same bytes", async () => {
    const tarBytes = readFileSync(path.join(base, "tree.tar"));
    for (const compression of ["auto", "store"] as const) {
      const file = path.join(base, `tree-${compression}.tar.gz`);
      const gz = await collect(tarToGzip(createReadStream(path.join(base, "tree.tar")), { compression }));
      writeFileSync(file, gz);
      execFileSync("gzip", ["-t", file]);
      expect(execFileSync("gzip", ["-dc", file], { maxBuffer: 1 << 28 }).equals(tarBytes), compression).toBe(true);
      if (compression === "auto") expect(gz.length).toBeLessThan(tarBytes.length * 0.75);
      else expect(gz.length).toBeGreaterThan(tarBytes.length);
    }
  });
});
