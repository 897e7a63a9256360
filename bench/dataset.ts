// Deterministic benchmark data for the mirror bench: a seeded tree of mostly small text files, some
// binaries and a few 1–10 MB files (about 1 GB and 20 000 files at scale 1), and seeded per-session changes.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Small fast seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `len` pseudo-random bytes from `seed` (xorshift128, 4 bytes per step). */
export function randomBytes(len: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(len / 4));
  let x = seed | 1, y = 362436069, z = 521288629, w = 88675123 ^ seed;
  for (let i = 0; i < words.length; i++) {
    const t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
    words[i] = w;
  }
  return Buffer.from(words.buffer, 0, len);
}

const between = (r: () => number, lo: number, hi: number) => Math.floor(lo + r() * (hi - lo));
const logBetween = (r: () => number, lo: number, hi: number) => Math.floor(Math.exp(Math.log(lo) + r() * Math.log(hi / lo)));

/** 12 MiB of word-like text lines that text files are cut from. */
function makeCorpus(seed: number): Buffer {
  const r = rng(seed);
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const words = Array.from({ length: 3000 }, () =>
    Array.from({ length: between(r, 2, 11) }, () => letters[between(r, 0, 26)]).join(""),
  );
  const lines: string[] = [];
  let size = 0;
  for (let n = 0; size < 12 << 20; n++) {
    const line = `${String(n).padStart(7, "0")} ` + Array.from({ length: between(r, 3, 16) }, () => words[between(r, 0, words.length)]).join(" ");
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join("\n") + "\n");
}

export interface Dataset {
  root: string;
  files: string[];
  corpus: Buffer;
  bytes: number;
  seed: number;
}

function textContent(ds: Pick<Dataset, "corpus">, r: () => number, size: number, tag: string): Buffer {
  const header = Buffer.from(`# ${tag}\n`);
  const off = between(r, 0, ds.corpus.length - size - 1);
  return Buffer.concat([header, ds.corpus.subarray(off, off + Math.max(0, size - header.length))]);
}

function fileContent(ds: Pick<Dataset, "corpus">, r: () => number, i: number, seed: number): Buffer {
  const p = r();
  if (p < 0.005) {
    const size = between(r, 1 << 20, 10 << 20);
    return r() < 0.5 ? randomBytes(size, seed * 7919 + i) : textContent(ds, r, size, `large ${i}`);
  }
  if (p < 0.055) return randomBytes(logBetween(r, 4096, 1 << 20), seed * 104729 + i);
  return textContent(ds, r, logBetween(r, 200, 64 * 1024), `file ${i}`);
}

/** Writes the initial tree under `root` (replacing it); all mtimes are `mtime`. */
export function generateDataset(root: string, scale: number, seed: number, mtime: number): Dataset {
  rmSync(root, { recursive: true, force: true });
  const r = rng(seed);
  const ds: Dataset = { root, files: [], corpus: makeCorpus(seed), bytes: 0, seed };
  const nFiles = Math.max(10, Math.round(20000 * scale));
  const dirs = [""];
  for (let i = 0; i < Math.max(5, Math.round(nFiles / 40)); i++) {
    const parent = dirs[between(r, 0, dirs.length)];
    dirs.push(parent.split("/").length > 5 ? `dir${i}` : path.join(parent, `dir${i}`));
  }
  for (const d of dirs) mkdirSync(path.join(root, d), { recursive: true });
  for (let i = 0; i < nFiles; i++) {
    const rel = path.join(dirs[between(r, 0, dirs.length)], `f${i}${r() < 0.7 ? ".txt" : ".dat"}`);
    const data = fileContent(ds, r, i, seed);
    writeFileSync(path.join(root, rel), data);
    utimesSync(path.join(root, rel), mtime, mtime);
    ds.files.push(rel);
    ds.bytes += data.length;
  }
  return ds;
}

/** Edits `buf` the way people do: replace a region with new bytes of another length (shifts the rest). */
function splice(ds: Dataset, r: () => number, buf: Buffer, isText: boolean): Buffer {
  const at = between(r, 0, buf.length);
  const del = between(r, 0, Math.min(300, buf.length - at));
  const ins = isText ? textContent(ds, r, between(r, 20, 400), "edit") : randomBytes(between(r, 16, 4096), between(r, 1, 1e9));
  return Buffer.concat([buf.subarray(0, at), ins, buf.subarray(at + del)]);
}

/** Applies session `k`'s changes to 1% of the files (80% edited, 10% deleted, 10% new); returns the counts. */
export function mutateDataset(ds: Dataset, k: number, mtime: number): { changed: number; deleted: number; added: number } {
  const r = rng(ds.seed * 31 + k);
  const n = Math.max(1, Math.round(ds.files.length * 0.01));
  const counts = { changed: 0, deleted: 0, added: 0 };
  for (let j = 0; j < n; j++) {
    const p = r();
    if (p < 0.1) {
      const rel = `dir0/new-s${k}-${j}.txt`;
      mkdirSync(path.join(ds.root, "dir0"), { recursive: true });
      writeFileSync(path.join(ds.root, rel), textContent(ds, r, logBetween(r, 200, 64 * 1024), rel));
      utimesSync(path.join(ds.root, rel), mtime, mtime);
      ds.files.push(rel);
      counts.added++;
      continue;
    }
    const idx = between(r, 0, ds.files.length);
    const abs = path.join(ds.root, ds.files[idx]);
    if (p < 0.2) {
      rmSync(abs);
      ds.files.splice(idx, 1);
      counts.deleted++;
      continue;
    }
    let buf: Buffer = readFileSync(abs);
    const isText = ds.files[idx].endsWith(".txt");
    for (let e = buf.length > 1 << 20 ? 3 : 1; e > 0; e--) buf = splice(ds, r, buf, isText);
    writeFileSync(abs, buf);
    utimesSync(abs, mtime, mtime);
    counts.changed++;
  }
  return counts;
}

/** path → sha1 of every regular file under `root` (to check restores). */
export function manifest(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (rel === "" && e.name === "rdiff-backup-data") continue;
        walk(p);
      } else if (e.isFile()) out.set(p, createHash("sha1").update(readFileSync(path.join(root, p))).digest("hex"));
    }
  };
  walk("");
  return out;
}

/** Apparent size in bytes of everything under `p` (0 when missing). */
export function treeBytes(p: string): number {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((sum, name) => sum + treeBytes(path.join(p, name)), 0);
}
