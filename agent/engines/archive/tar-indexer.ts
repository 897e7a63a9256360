// Watches a tar stream as it passes (GNU, ustar and pax headers, GNU long names, incremental dumpdirs)
// and records, for every member, where its header and its data start in the uncompressed stream.
import type { IndexMember } from "./index-format";
import { nameOfBytes, type MemberName } from "./member-name";

const BLOCK = 512;

/** Reads a numeric header field: octal text, or GNU base-256 when the high bit of the first byte is set. */
export function parseNumeric(buf: Buffer): number {
  if (buf[0] & 0x80) {
    let v = buf[0] & 0x7f;
    for (let i = 1; i < buf.length; i++) v = v * 256 + buf[i];
    return v;
  }
  const s = buf.toString("latin1").replace(/\0.*$/s, "").trim();
  return s === "" ? 0 : Number.parseInt(s, 8);
}

/** A NUL-terminated header field as bytes (names are bytes: GNU tar writes them as the file system has them). */
function cBytes(buf: Buffer): Buffer {
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? buf.length : end);
}

/** Parses the records of a pax extended header into key → value bytes (a path may be raw bytes: hdrcharset=BINARY). */
function parsePaxBytes(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number.parseInt(data.subarray(i, sp).toString("latin1"), 10);
    if (!len) break;
    const rec = data.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq > 0) out.set(rec.subarray(0, eq).toString("utf8"), Buffer.from(rec.subarray(eq + 1)));
    i += len;
  }
  return out;
}

/** A member header's fields, with what the GNU long-name/link and pax records before it say applied. */
export interface HeaderFields {
  name: MemberName;
  /** Hard and symbolic links: the target. */
  link?: MemberName;
  size: number;
  /** The mode field as it stands (type bits included when the writer put them there). */
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

/**
 * The metadata records (GNU long name L / long link K, pax x) that come before a member header, for a reader
 * of the tar stream: it hands each record's data to `take`, then each member header to `member`.
 */
export class HeaderRecords {
  private longName?: Buffer;
  private longLink?: Buffer;
  private pax = new Map<string, Buffer>();

  /** Takes the data of a metadata record of this kind (pax globals, g, are not applied). */
  take(kind: string, data: Buffer): void {
    if (kind === "L") this.longName = Buffer.from(cBytes(data));
    else if (kind === "K") this.longLink = Buffer.from(cBytes(data));
    else if (kind === "x") for (const [k, v] of parsePaxBytes(data)) this.pax.set(k, v);
  }

  /**
   * The fields of member header `h` (typeflag `type`): name and link from pax records, else GNU long name/link,
   * else the ustar fields; numbers from pax records where given. The records taken so far are then dropped.
   */
  member(h: Buffer, type: string): HeaderFields {
    const pax = this.pax;
    const posix = h.subarray(257, 263).toString("latin1") === "ustar\0";
    const prefix = posix ? cBytes(h.subarray(345, 500)) : Buffer.alloc(0);
    const short = cBytes(h.subarray(0, 100));
    const name = pax.get("path") ?? this.longName ?? (prefix.length ? Buffer.concat([prefix, Buffer.from("/"), short]) : short);
    const link = pax.get("linkpath") ?? this.longLink ?? cBytes(h.subarray(157, 257));
    const num = (k: string, field: Buffer) => (pax.has(k) ? Number(pax.get(k)!.toString("latin1")) : parseNumeric(field));
    const out: HeaderFields = {
      name: nameOfBytes(name),
      size: num("size", h.subarray(124, 136)),
      mode: parseNumeric(h.subarray(100, 108)),
      uid: num("uid", h.subarray(108, 116)),
      gid: num("gid", h.subarray(116, 124)),
      mtime: Math.floor(num("mtime", h.subarray(136, 148))),
    };
    if (link.length && (type === "1" || type === "2")) out.link = nameOfBytes(link);
    this.longName = this.longLink = undefined;
    this.pax = new Map();
    return out;
  }
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Watches the chunks of a tar stream (through `observe`) and fills `members` with one entry per tar member. */
export class TarIndexer {
  readonly members: IndexMember[] = [];
  private offset = 0;
  private skip = 0;
  private header = Buffer.alloc(0);
  /** Metadata collection: a long-name or pax record being read (kind + remaining bytes). */
  private meta?: { kind: string; size: number; chunks: Buffer[]; got: number };
  private readonly records = new HeaderRecords();
  private firstHeader = -1;
  private ended = false;

  /** Indexes a chunk: for a writer that sees the stream itself (BlockCompressor's `observe`). */
  readonly observe = (chunk: Buffer): void => this.scan(chunk);

  private scan(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        if (this.meta) this.collectMeta(chunk.subarray(i, i + n));
        this.skip -= n;
        i += n;
        this.offset += n;
        if (this.skip === 0 && this.meta) this.finishMeta();
        continue;
      }
      const need = BLOCK - this.header.length;
      const n = Math.min(need, chunk.length - i);
      this.header = Buffer.concat([this.header, chunk.subarray(i, i + n)]);
      i += n;
      this.offset += n;
      if (this.header.length === BLOCK) {
        const h = this.header;
        this.header = Buffer.alloc(0);
        this.onHeader(h, this.offset - BLOCK);
      }
    }
    if (this.ended) this.offset += chunk.length - i;
  }

  private collectMeta(part: Buffer): void {
    const m = this.meta!;
    const keep = Math.max(0, Math.min(part.length, m.size - m.got));
    if (keep > 0) m.chunks.push(part.subarray(0, keep));
    m.got += part.length;
  }

  private finishMeta(): void {
    const m = this.meta!;
    this.meta = undefined;
    this.records.take(m.kind, Buffer.concat(m.chunks).subarray(0, m.size));
  }

  private onHeader(h: Buffer, at: number): void {
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    if (this.firstHeader < 0) this.firstHeader = at;
    const type = h[156] === 0 ? "0" : String.fromCharCode(h[156]);
    const size = parseNumeric(h.subarray(124, 136));
    if (type === "L" || type === "K" || type === "x" || type === "g") {
      this.meta = { kind: type, size, chunks: [], got: 0 };
      this.skip = padded(size);
      if (this.skip === 0) this.finishMeta();
      return;
    }
    const f = this.records.member(h, type);
    const entry: IndexMember = { n: f.name.text, t: type, h: this.firstHeader, d: at + BLOCK, s: f.size, m: f.mode, mt: f.mtime };
    if (f.name.raw) entry.nb = f.name.raw.toString("base64");
    if (f.link) {
      entry.l = f.link.text;
      if (f.link.raw) entry.lb = f.link.raw.toString("base64");
    }
    this.members.push(entry);
    this.firstHeader = -1;
    // Hard links and symlinks carry no data; directories carry data only as GNU dumpdirs ("D").
    this.skip = type === "1" || type === "2" || type === "5" ? 0 : padded(f.size);
  }

  /** Bytes seen so far (the tar stream's length once it ended). */
  get bytes(): number {
    return this.offset;
  }
}
