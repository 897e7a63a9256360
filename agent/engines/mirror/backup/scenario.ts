// Test scenario: a source tree with every awkward case (empty files and dirs, binaries, 20-deep nesting,
// dangling symlinks, hard links, spaces, UTF-8, non-UTF-8, `:` `\` newline tab, case twins, 255-byte names,
// a fifo) and the changes of sessions 2..6 (a path that turns file → dir → symlink → file, and more).
import { execFileSync } from "node:child_process";
import { promises as fsp } from "node:fs";

/** Deterministic pseudo-random bytes. */
export function bytes(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** A text file of numbered lines (a good delta target). */
export function lines(n: number, tag = ""): string {
  let s = "";
  for (let i = 0; i < n; i++) s += `line ${String(i).padStart(5, "0")}: the quick brown fox jumps over the lazy dog ${tag}\n`;
  return s;
}

export const NON_UTF8 = Buffer.from([0x6e, 0x6f, 0xff, 0xfe, 0x2e, 0x74]);
export const LONG = "L".repeat(251) + ".txt";
export const DEEP = Array.from({ length: 20 }, (_, i) => `d${i + 1}`).join("/");

/** Absolute Buffer path under root. */
export function at(root: string, ...parts: Array<string | Buffer>): Buffer {
  return Buffer.concat([Buffer.from(root), ...parts.flatMap((p) => [Buffer.from("/"), Buffer.from(p)])]);
}

async function put(root: string, rel: string | Buffer, data: string | Buffer, mtime: number, mode = 0o644): Promise<void> {
  const p = at(root, rel);
  await fsp.writeFile(p, data);
  await fsp.chmod(p, mode);
  await fsp.utimes(p, mtime, mtime);
}

/** Creates the session-1 tree in `root` (which must exist and be empty). */
export async function session1(root: string, t: number): Promise<void> {
  await put(root, "empty.txt", "", t);
  await fsp.mkdir(at(root, "empty-dir"));
  await put(root, "bin.dat", bytes(1, 40_000), t);
  await put(root, "big.txt", lines(4000), t);
  await fsp.mkdir(at(root, DEEP), { recursive: true });
  await put(root, `${DEEP}/leaf.txt`, "deep leaf\n", t);
  await fsp.symlink("bin.dat", at(root, "link-ok"));
  await fsp.symlink("nowhere/at/all", at(root, "dangling"));
  await fsp.mkdir(at(root, "sub"));
  await put(root, "hard1", "hard linked\n", t);
  await fsp.link(at(root, "hard1"), at(root, "sub/hard2"));
  await put(root, "with space.txt", "space\n", t);
  await put(root, "naïve-ü.txt", "unicode\n", t);
  await put(root, NON_UTF8, "latin1 name\n", t);
  await put(root, "colon:back\\slash", "odd\n", t, 0o600);
  await put(root, "new\nline", "newline name\n", t);
  await put(root, "tab\tname", "tab\n", t);
  await put(root, "Case.txt", "upper\n", t);
  await put(root, "case.txt", "lower\n", t);
  await put(root, LONG, "long name v1\n", t);
  await put(root, "shift", "shift is a file\n", t);
  await put(root, "photo.png", bytes(2, 5000), t);
  execFileSync("mkfifo", [`${root}/fifo`]);
  await put(root, "owned.txt", "owned by someone else\n", t);
  await fsp.chown(at(root, "owned.txt"), 4321, 4321);
  const sparse = await fsp.open(at(root, "sparse.img"), "w");
  await sparse.write(Buffer.from("start"), 0, 5, 0);
  await sparse.write(Buffer.from("end"), 0, 3, 4 * 1024 * 1024);
  await sparse.close();
  await fsp.utimes(at(root, "sparse.img"), t, t);
}

/** Applies the changes of session `n` (2..6); `t` is a fresh mtime for changed files. */
export async function mutate(root: string, n: number, t: number): Promise<void> {
  if (n === 2) {
    const big = lines(4000).replace("line 02000: the quick", "line 02000: THE QUICK");
    await put(root, "big.txt", big, t);
    await fsp.chmod(at(root, "bin.dat"), 0o600);
    await fsp.rm(at(root, "shift"));
    await fsp.mkdir(at(root, "shift"));
    await put(root, "shift/inner.txt", "inside shift\n", t);
    await fsp.rm(at(root, "with space.txt"));
    await put(root, "added.txt", "added in 2\n", t);
    await fsp.rm(at(root, "link-ok"));
    await fsp.symlink("big.txt", at(root, "link-ok"));
    await put(root, LONG, "long name v2, longer\n", t);
    await put(root, "new\nline", "newline name v2\n", t);
    await put(root, `${DEEP}/leaf.txt`, "deep leaf v2\n", t);
    await put(root, "photo.png", Buffer.concat([bytes(2, 2000), bytes(3, 100), bytes(2, 5000).subarray(2100)]), t);
  } else if (n === 3) {
    await fsp.rm(at(root, "shift"), { recursive: true });
    await fsp.symlink("bin.dat", at(root, "shift"));
    await fsp.link(at(root, "hard1"), at(root, "hard3"));
    await put(root, "bin.dat", Buffer.concat([bytes(1, 20_000), bytes(9, 64), bytes(1, 40_000).subarray(20_000)]), t, 0o600);
    await fsp.rm(at(root, "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11"), { recursive: true });
    await put(root, NON_UTF8, "latin1 name v3\n", t);
    await fsp.rm(at(root, "Case.txt"));
  } else if (n === 4) {
    // nothing changes: a session with no increments
  } else if (n === 5) {
    await fsp.rm(at(root, "shift"));
    await put(root, "shift", "shift is a file again\n", t);
    await put(root, "hard1", "hard linked, changed in 5\n", t);
    await fsp.rm(at(root, "empty-dir"), { recursive: true });
    await fsp.mkdir(at(root, "new-empty-dir"));
    await fsp.rm(at(root, "tab\tname"));
    await fsp.appendFile(at(root, "big.txt"), "appended in 5\n");
    await fsp.utimes(at(root, "big.txt"), t, t);
    await fsp.rm(at(root, "fifo"));
  } else if (n === 6) {
    await fsp.rm(at(root, "sub/hard2"));
    await put(root, "sub/hard2", "hard linked, changed in 5\n", t);
    await fsp.chmod(at(root, "colon:back\\slash"), 0o640);
    await put(root, "Case.txt", "upper is back\n", t);
    await fsp.rm(at(root, LONG));
    const sparse = await fsp.open(at(root, "sparse.img"), "r+");
    await sparse.write(Buffer.from("middle"), 0, 6, 2 * 1024 * 1024);
    await sparse.close();
    await fsp.utimes(at(root, "sparse.img"), t, t);
    await fsp.chown(at(root, "owned.txt"), 4322, 4321);
  }
}
