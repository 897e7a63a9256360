// Reads one member out of an archive: through the index sidecar (only the blocks holding the member
// are read and decompressed), through a zip's central directory, or — for archives without an index,
// such as backup-manager's — by a full scan with GNU tar. Also lists members.
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { decompressBlocks } from "./compress";
import { INDEX_SUFFIX, readIndex, type ArchiveIndex, type IndexMember } from "./index-format";
import { readZipDirectory, zipDataOffset } from "./zip-directory";

/** How a read went: bytes read from the archive file and the route taken. */
export interface ReadStats {
  bytesRead: number;
  route: "index" | "zip" | "scan";
  size: number;
}

/** One member as `list` shows it. */
export interface ListedMember {
  name: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  size: number;
  mtime?: number;
  link?: string;
}

const norm = (m: string) => m.replace(/^\/+/, "").replace(/^\.\//, "");
const isZip = (archive: string) => archive.endsWith(".zip");

function typeOf(t: string): ListedMember["type"] {
  if (t === "0" || t === "7") return "file";
  if (t === "5" || t === "D") return "dir";
  if (t === "2") return "symlink";
  if (t === "1") return "hardlink";
  return "other";
}

function findMember(index: ArchiveIndex, name: string): IndexMember | undefined {
  const want = norm(name).replace(/\/$/, "");
  for (let i = index.members.length - 1; i >= 0; i--) {
    if (index.members[i].n.replace(/\/$/, "") === want) return index.members[i];
  }
  return undefined;
}

/** Index of the last block starting at or before uncompressed offset `u`. */
function blockAt(blocks: [number, number][], u: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid][0] <= u) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

async function readRange(fh: FileHandle, pos: number, len: number, stats: ReadStats): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  stats.bytesRead += got;
  return buf.subarray(0, got);
}

async function writeChunk(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await new Promise((r) => out.once("drain", r));
}

/**
 * Decompressed blocks kept between reads of one caller (a folder download reads many small members of
 * the same blocks in order): key `archive#block` → bytes; at most `max` blocks.
 */
export class BlockCache {
  private readonly map = new Map<string, Buffer>();
  constructor(private readonly max = 4) {}
  get(key: string): Buffer | undefined {
    return this.map.get(key);
  }
  set(key: string, b: Buffer): void {
    this.map.set(key, b);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

async function copyViaIndex(archive: string, index: ArchiveIndex, m: IndexMember, out: Writable, stats: ReadStats, cache?: BlockCache): Promise<void> {
  const fh = await open(archive, "r");
  try {
    if (index.compression === "none") {
      for (let pos = m.d; pos < m.d + m.s; pos += 1 << 20) {
        await writeChunk(out, await readRange(fh, pos, Math.min(1 << 20, m.d + m.s - pos), stats));
      }
      return;
    }
    const end = m.d + m.s;
    for (let k = blockAt(index.blocks, m.d); k < index.blocks.length && index.blocks[k][0] < end; k++) {
      const [u, c] = index.blocks[k];
      const cEnd = k + 1 < index.blocks.length ? index.blocks[k + 1][1] : index.archiveSize;
      const key = `${archive}#${k}`;
      let plain = cache?.get(key);
      if (!plain) {
        try {
          plain = await decompressBlocks(index.compression, await readRange(fh, c, cEnd - c, stats));
        } catch (err) {
          throw new Error(`Cannot read member "${m.n}" of "${archive}": corrupt block at offset ${c}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        cache?.set(key, plain);
      }
      await writeChunk(out, plain.subarray(Math.max(0, m.d - u), Math.min(plain.length, end - u)));
    }
  } finally {
    await fh.close();
  }
}

async function copyZipEntry(archive: string, name: string, out: Writable, stats: ReadStats): Promise<void> {
  const fh = await open(archive, "r");
  try {
    const entries = await readZipDirectory(fh, (await fh.stat()).size, stats);
    const e = entries.find((x) => x.name.replace(/\/$/, "") === norm(name).replace(/\/$/, ""));
    if (!e) throw new Error(`Member "${name}" not found in "${archive}"`);
    if (e.isDirectory) throw new Error(`Member "${name}" of "${archive}" is a directory`);
    stats.size = e.size;
    const start = await zipDataOffset(fh, e, stats);
    stats.bytesRead += e.compressedSize;
    const src = createReadStream(archive, { start, end: start + e.compressedSize - 1 });
    const inflate = e.method === 8 ? [zlib.createInflateRaw()] : [];
    await pipeline([src, ...inflate, out], { end: false }).catch((err: Error) => {
      throw new Error(`Cannot read member "${name}" of "${archive}" at offset ${start}: ${err.message}`, { cause: err });
    });
  } finally {
    await fh.close();
  }
}

async function copyByScan(archive: string, name: string, out: Writable, stats: ReadStats): Promise<void> {
  stats.bytesRead = (await stat(archive)).size;
  const child = spawn("tar", ["-x", "-O", "--occurrence=1", "-f", archive, "--", norm(name)], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  child.stdout.on("data", (b: Buffer) => (stats.size += b.length));
  await pipeline(child.stdout, out, { end: false });
  const code = await closed;
  if (code !== 0) {
    const notFound = /Not found in archive/.test(err);
    throw new Error(notFound ? `Member "${name}" not found in "${archive}"` : `Cannot read "${name}" from "${archive}": ${err.trim()}`);
  }
}

const indexCache = new Map<string, { size: number; mtimeMs: number; index: ArchiveIndex | undefined }>();

/** The index sidecar of `archive` when it describes the file as it is (cached while neither file changes). */
export async function currentIndex(archive: string): Promise<ArchiveIndex | undefined> {
  const [a, i] = await Promise.all([stat(archive), stat(archive + INDEX_SUFFIX).catch(() => undefined)]);
  if (!i) return undefined;
  const hit = indexCache.get(archive);
  if (hit && hit.size === a.size && hit.mtimeMs === i.mtimeMs) return hit.index;
  const read = await readIndex(archive);
  const index = read && read.archiveSize === a.size ? read : undefined;
  indexCache.set(archive, { size: a.size, mtimeMs: i.mtimeMs, index });
  while (indexCache.size > 16) indexCache.delete(indexCache.keys().next().value!);
  return index;
}

/** The raw data of one indexed member (e.g. a GNU dumpdir), read through the index. */
export async function readIndexedData(archive: string, index: ArchiveIndex, m: IndexMember, cache?: BlockCache): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
  await copyViaIndex(archive, index, m, sink, { bytesRead: 0, route: "index", size: m.s }, cache);
  return Buffer.concat(chunks);
}

/** Writes the bytes of `member` to `out` (left open) and returns how much of the archive was read. */
export async function extractMember(archive: string, member: string, out: Writable, opts: { cache?: BlockCache } = {}): Promise<ReadStats> {
  if (isZip(archive)) {
    const stats: ReadStats = { bytesRead: 0, route: "zip", size: 0 };
    await copyZipEntry(archive, member, out, stats);
    return stats;
  }
  const index = await currentIndex(archive);
  if (!index) {
    const stats: ReadStats = { bytesRead: 0, route: "scan", size: 0 };
    await copyByScan(archive, member, out, stats);
    return stats;
  }
  let m = findMember(index, member);
  if (!m) throw new Error(`Member "${member}" not found in "${archive}"`);
  if (m.t === "1" && m.l) m = findMember(index, m.l) ?? m;
  if (m.t === "2") throw new Error(`Member "${member}" of "${archive}" is a symbolic link to "${m.l}"`);
  if (typeOf(m.t) === "dir") throw new Error(`Member "${member}" of "${archive}" is a directory`);
  const stats: ReadStats = { bytesRead: 0, route: "index", size: m.s };
  await copyViaIndex(archive, index, m, out, stats, opts.cache);
  return stats;
}

/** Lists the members of an archive (index, zip directory, or `tar -tv` scan). */
export async function listMembers(archive: string): Promise<ListedMember[]> {
  if (isZip(archive)) {
    const fh = await open(archive, "r");
    try {
      const entries = await readZipDirectory(fh, (await fh.stat()).size);
      return entries.map((e) => ({
        name: e.name,
        type: e.isDirectory ? "dir" : (e.mode & 0o170000) === 0o120000 ? "symlink" : "file",
        size: e.size,
      }));
    } finally {
      await fh.close();
    }
  }
  const index = await readIndex(archive);
  if (index) return index.members.map((m) => ({ name: m.n, type: typeOf(m.t), size: m.s, mtime: m.mt, link: m.l }));
  return listByScan(archive);
}

async function listByScan(archive: string): Promise<ListedMember[]> {
  const child = spawn("tar", ["-t", "-f", archive], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (text += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`Cannot list "${archive}": ${err.trim()}`);
  return text
    .split("\n")
    .filter(Boolean)
    .map((name) => ({ name, type: name.endsWith("/") ? "dir" : "file", size: 0 }));
}
