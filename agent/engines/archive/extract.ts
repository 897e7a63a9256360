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
import { bytesOfText } from "./member-name";
import { readArchiveMembers } from "./tar-read";
import { readZipDirectory, zipDataOffset } from "./zip-directory";

/** How a read went: bytes read from the archive file and the route taken. */
export interface ReadStats {
  bytesRead: number;
  route: "index" | "zip" | "scan";
  size: number;
}

/** One member as `list` shows it. */
export interface ListedMember {
  /** The name as text (member-name.ts: invalid UTF-8 bytes as \xHH). */
  name: string;
  /** The name's exact bytes when they are not UTF-8. */
  raw?: Buffer;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  size: number;
  mtime?: number;
  link?: string;
}

const norm = (m: string) => m.replace(/^\/+/, "").replace(/^\.\//, "");
const isZip = (archive: string) => archive.endsWith(".zip");

/** A member name given as bytes, without leading "/" or "./" and trailing "/" (as names are compared). */
function normBytes(b: Buffer): Buffer {
  let s = 0;
  while (s < b.length && b[s] === 0x2f) s++;
  if (b[s] === 0x2e && b[s + 1] === 0x2f) s += 2;
  let e = b.length;
  while (e > s && b[e - 1] === 0x2f) e--;
  return b.subarray(s, e);
}

/**
 * Matches member names against the one asked for: by exact bytes when given as a Buffer, else by text
 * (a non-UTF-8 name as its \xHH text, as `list` shows it).
 */
function nameMatcher(wanted: string | Buffer): (text: string, raw?: Buffer) => boolean {
  if (Buffer.isBuffer(wanted)) {
    const want = normBytes(wanted);
    return (text, raw) => normBytes(raw ?? Buffer.from(text)).equals(want);
  }
  const want = norm(wanted).replace(/\/$/, "");
  return (text) => norm(text).replace(/\/$/, "") === want;
}

const memberBytes = (m: IndexMember) => (m.nb ? Buffer.from(m.nb, "base64") : undefined);

/** How a member name shows in messages. */
const shown = (name: string | Buffer) => (Buffer.isBuffer(name) ? name.toString("utf8") : name);

function typeOf(t: string): ListedMember["type"] {
  if (t === "0" || t === "7") return "file";
  if (t === "5" || t === "D") return "dir";
  if (t === "2") return "symlink";
  if (t === "1") return "hardlink";
  return "other";
}

function findMember(index: ArchiveIndex, name: string | Buffer): IndexMember | undefined {
  const match = nameMatcher(name);
  for (let i = index.members.length - 1; i >= 0; i--) {
    const m = index.members[i];
    if (match(m.n, memberBytes(m))) return m;
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

async function copyZipEntry(archive: string, member: string | Buffer, out: Writable, stats: ReadStats): Promise<void> {
  const name = shown(member);
  const fh = await open(archive, "r");
  try {
    const entries = await readZipDirectory(fh, (await fh.stat()).size, stats);
    const match = nameMatcher(member);
    const e = entries.find((x) => match(x.name, x.raw));
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

async function copyByScan(archive: string, member: string | Buffer, out: Writable, stats: ReadStats): Promise<void> {
  const name = shown(member);
  stats.bytesRead = (await stat(archive)).size;
  // The name goes to tar as bytes on its standard input (an argument could only carry UTF-8), taken verbatim.
  const bytes = normBytes(Buffer.isBuffer(member) ? member : bytesOfText(member));
  const child = spawn("tar", ["-x", "-O", "--occurrence=1", "-f", archive, "--null", "--no-unquote", "--verbatim-files-from", "-T", "-"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.on("error", () => undefined);
  child.stdin.end(Buffer.concat([bytes, Buffer.from([0])]));
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

/**
 * Writes the bytes of `member` to `out` (left open) and returns how much of the archive was read. `member`:
 * the name's exact bytes, or its text (a non-UTF-8 name as its \xHH text, as `listMembers` gives it).
 */
export async function extractMember(archive: string, member: string | Buffer, out: Writable, opts: { cache?: BlockCache } = {}): Promise<ReadStats> {
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
  const name = shown(member);
  let m = findMember(index, member);
  if (!m) throw new Error(`Member "${name}" not found in "${archive}"`);
  if (m.t === "1" && m.l) m = findMember(index, m.lb ? Buffer.from(m.lb, "base64") : m.l) ?? m;
  if (m.t === "2") throw new Error(`Member "${name}" of "${archive}" is a symbolic link to "${m.l}"`);
  if (typeOf(m.t) === "dir") throw new Error(`Member "${name}" of "${archive}" is a directory`);
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
        ...(e.raw ? { raw: e.raw } : {}),
        type: e.isDirectory ? "dir" : (e.mode & 0o170000) === 0o120000 ? "symlink" : "file",
        size: e.size,
      }));
    } finally {
      await fh.close();
    }
  }
  const index = await readIndex(archive);
  if (index) return index.members.map((m) => ({ name: m.n, ...(m.nb ? { raw: memberBytes(m) } : {}), type: typeOf(m.t), size: m.s, mtime: m.mt, link: m.l }));
  return listByScan(archive);
}

/** Members of an archive without an index, read from its tar stream (names as bytes, not as `tar -t` quotes them). */
async function listByScan(archive: string): Promise<ListedMember[]> {
  const out: ListedMember[] = [];
  try {
    for await (const m of readArchiveMembers(archive)) {
      const e: ListedMember = { name: m.name, type: typeOf(m.type), size: m.size, mtime: m.mtime };
      if (m.nameBytes) e.raw = m.nameBytes;
      if (m.linkname) e.link = m.linkname;
      out.push(e);
    }
  } catch (err) {
    throw new Error(`Cannot list "${archive}": ${(err as Error).message}`, { cause: err });
  }
  return out;
}
