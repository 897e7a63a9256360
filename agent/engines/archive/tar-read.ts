// Reads a tar stream member by member (ustar, GNU long names, pax, GNU incremental dumpdirs): headers,
// the dumpdir of every directory of a --listed-incremental archive, and — when asked — a member's data.
// Used to read archives that have no index sidecar (backup-manager's) and by the compatibility tests.
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { decompressorArgv } from "./compress";
import { ExactReader } from "./exact-reader";
import { nameOfBytes } from "./member-name";
import { HeaderRecords, parseNumeric } from "./tar-indexer";
import type { Compression } from "./naming";

/** One entry of a GNU dumpdir: Y = stored in this archive, N = present, unchanged, D = sub-directory, R/T = rename from/to. */
export interface DumpdirEntry {
  kind: "Y" | "N" | "D" | "R" | "T";
  /** The name as text (member-name.ts). */
  name: string;
  /** Its exact bytes when they are not UTF-8. */
  raw?: Buffer;
}

/** One tar member. */
export interface TarMember {
  /** The name as text (member-name.ts: invalid UTF-8 bytes as \xHH). */
  name: string;
  /** The name's exact bytes when they are not UTF-8. */
  nameBytes?: Buffer;
  /** tar typeflag: 0 file, 1 hard link, 2 symlink, 5 directory, D GNU dumpdir directory, … */
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
  /** The link's exact bytes when they are not UTF-8. */
  linkBytes?: Buffer;
  /** GNU incremental directories: the entries listed in the directory's dumpdir. */
  dumpdir?: DumpdirEntry[];
  /** The member's bytes, when `wantData` asked for them. */
  data?: Buffer;
  /** The member's bytes as a stream, when `wantData` answered "stream" (read it before asking for the next member). */
  stream?: AsyncIterable<Buffer>;
}

const BLOCK = 512;
const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Parses the data of a GNU dumpdir member (NUL-separated `Xname` records, ending with an empty one; names are bytes). */
export function parseDumpdir(data: Buffer): DumpdirEntry[] {
  const out: DumpdirEntry[] = [];
  for (let i = 0; i < data.length; ) {
    let end = data.indexOf(0, i);
    if (end < 0) end = data.length;
    const kind = String.fromCharCode(data[i]);
    if (end > i && (kind === "Y" || kind === "N" || kind === "D" || kind === "R" || kind === "T")) {
      const n = nameOfBytes(data.subarray(i + 1, end));
      out.push(n.raw ? { kind, name: n.text, raw: n.raw } : { kind, name: n.text });
    }
    i = end + 1;
  }
  return out;
}

/**
 * Members of an uncompressed tar stream. `wantData(member)` decides whose bytes are read into `data`
 * (dumpdirs are always read); other data is skipped.
 */
export async function* readTar(src: AsyncIterable<Buffer>, wantData: (m: TarMember) => boolean | "stream" = () => false): AsyncGenerator<TarMember> {
  const r = new ExactReader(src);
  const records = new HeaderRecords();
  for (;;) {
    const h = await r.read(BLOCK);
    if (h.length < BLOCK || h.every((b) => b === 0)) return;
    const type = h[156] === 0 ? "0" : String.fromCharCode(h[156]);
    const size = parseNumeric(h.subarray(124, 136));
    if (type === "L" || type === "K" || type === "x" || type === "g") {
      records.take(type, (await r.read(padded(size))).subarray(0, size));
      continue;
    }
    const f = records.member(h, type);
    const m: TarMember = { name: f.name.text, type, size: f.size, mode: f.mode & 0o7777, uid: f.uid, gid: f.gid, mtime: f.mtime };
    if (f.name.raw) m.nameBytes = f.name.raw;
    if (f.link) {
      m.linkname = f.link.text;
      if (f.link.raw) m.linkBytes = f.link.raw;
    }
    const dataLen = type === "1" || type === "2" || type === "5" ? 0 : m.size;
    const want = type === "D" ? true : dataLen > 0 && wantData(m);
    if (want === "stream") {
      // The caller reads the bytes while the member is current; what it leaves is skipped.
      let taken = 0;
      const chunks = r.take(dataLen);
      m.stream = (async function* () {
        for await (const c of chunks) {
          taken += c.length;
          yield c;
        }
      })();
      yield m;
      await r.skip(dataLen - taken);
      await r.skip(padded(dataLen) - dataLen);
      continue;
    }
    if (want) {
      const data = (await r.read(padded(dataLen))).subarray(0, dataLen);
      if (type === "D") m.dumpdir = parseDumpdir(data);
      else m.data = data;
    } else await r.skip(padded(dataLen));
    yield m;
  }
}

/** Compression of an archive file from its name. */
export function compressionOfName(file: string): Compression {
  if (/\.(tgz|gz)$/.test(file)) return "gzip";
  if (/\.bz2?$/.test(file)) return "bzip2";
  if (/\.(xz|lzma)$/.test(file)) return "xz";
  if (/\.zst$/.test(file)) return "zstd";
  return "none";
}

/** The uncompressed tar stream of an archive file (zlib for gzip, the standard tool otherwise). */
export function openTarStream(file: string): Readable {
  const c = compressionOfName(file);
  const raw = createReadStream(file);
  if (c === "none") return raw;
  if (c === "gzip") {
    const gunzip = zlib.createGunzip();
    raw.on("error", (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  const argv = decompressorArgv(c)!;
  const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  child.on("close", (code) => {
    if (code !== 0 && code !== null) child.stdout.destroy(new Error(`Cannot decompress "${file}": ${err.trim() || `exit ${code}`}`));
  });
  child.on("error", (e) => child.stdout.destroy(e));
  raw.on("error", (e) => child.stdout.destroy(e));
  child.stdin.on("error", () => undefined);
  raw.pipe(child.stdin);
  const out = child.stdout;
  out.once("close", () => {
    raw.destroy();
    if (child.exitCode === null) child.kill();
  });
  return out;
}

/** Every member of an archive file (tar family), reading the bytes of those `wantData` selects. */
export async function* readArchiveMembers(file: string, wantData?: (m: TarMember) => boolean | "stream"): AsyncGenerator<TarMember> {
  const stream = openTarStream(file);
  try {
    yield* readTar(stream as AsyncIterable<Buffer>, wantData);
  } finally {
    stream.destroy();
  }
}
