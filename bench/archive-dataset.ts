// Deterministic tree for the archive bench: mostly text files (compressible), some random binaries and a
// few large files, spread over nested directories; `files` files and about `totalMb` MB.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noise(len: number, r: () => number): Buffer {
  const words = new Uint32Array(Math.ceil(len / 4));
  for (let i = 0; i < words.length; i++) words[i] = (r() * 4294967296) >>> 0;
  return Buffer.from(words.buffer, 0, len);
}

function corpus(r: () => number): Buffer {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const words = Array.from({ length: 4000 }, () => Array.from({ length: 2 + Math.floor(r() * 9) }, () => letters[Math.floor(r() * 26)]).join(""));
  const lines: string[] = [];
  let size = 0;
  for (let n = 0; size < 8 << 20; n++) {
    const line = `${n} ` + Array.from({ length: 4 + Math.floor(r() * 12) }, () => words[Math.floor(r() * words.length)]).join(" ");
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join("\n"));
}

/** Writes the tree under `root`. */
export function makeTree(root: string, files: number, totalMb: number): void {
  const r = rng(42);
  const text = corpus(r);
  const big = Math.max(1, Math.floor(files / 4000));
  const bigSize = Math.floor((totalMb * 0.3 * (1 << 20)) / big);
  const avg = Math.floor((totalMb * 0.7 * (1 << 20)) / Math.max(1, files - big));
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${i % 50}`, `e${Math.floor(i / 50) % 20}`);
    if (i < 1000) mkdirSync(dir, { recursive: true });
    const binary = r() < 0.25;
    const size = i < big ? bigSize : Math.max(1, Math.floor(avg * 2 * r()));
    let body: Buffer;
    if (binary) body = noise(size, r);
    else {
      const start = Math.floor(r() * Math.max(1, text.length - size));
      body = size <= text.length ? text.subarray(start, start + size) : Buffer.concat(Array(Math.ceil(size / text.length)).fill(text)).subarray(0, size);
    }
    writeFileSync(path.join(dir, `f${i}.${binary ? "bin" : "txt"}`), body);
  }
}
