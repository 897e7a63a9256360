// Reads a tar byte stream (ustar, PAX and GNU long names) pulled from an async iterable of chunks: headers
// one at a time, an entry's data as blocks of a chosen size without copying when a block lies in one chunk.

/** One member's header (the fields the console re-packs). */
export interface TarEntry {
  name: string;
  type: "file" | "link" | "symlink" | "character-device" | "block-device" | "directory" | "fifo" | "other";
  mode: number;
  size: number;
  mtime: Date;
  linkname: string;
}

const TYPES: Record<string, TarEntry["type"]> = {
  "0": "file", "\0": "file", "7": "file", "1": "link", "2": "symlink", "3": "character-device", "4": "block-device", "5": "directory", "6": "fifo",
};

function field(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString("utf8", off, end < 0 || end > off + len ? off + len : end);
}

function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    let n = 0; // GNU base-256
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i];
    return n;
  }
  const s = field(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxRecords(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let off = 0; off < body.length; ) {
    const sp = body.indexOf(0x20, off);
    const len = parseInt(body.toString("ascii", off, sp), 10);
    if (sp < 0 || !(len > 0)) break;
    const rec = body.toString("utf8", sp + 1, off + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

const pad = (n: number) => (512 - (n % 512)) % 512;

/** Pulls tar members from `source`; call `data()` (or `skip()`) for each entry before the next `next()`. */
export class TarReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  private left = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes (a view into the current chunk when possible); fewer only at the end of the stream. */
  private async read(n: number): Promise<Buffer> {
    if (this.chunk.length - this.pos >= n) {
      this.pos += n;
      return this.chunk.subarray(this.pos - n, this.pos);
    }
    const parts: Buffer[] = [this.chunk.subarray(this.pos)];
    let have = parts[0].length;
    while (have < n) {
      const r = await this.it.next();
      if (r.done) {
        this.chunk = Buffer.alloc(0);
        this.pos = 0;
        return Buffer.concat(parts, have);
      }
      const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      const take = Math.min(c.length, n - have);
      parts.push(c.subarray(0, take));
      have += take;
      this.chunk = c;
      this.pos = take;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
  }

  private async readFull(n: number, what: string): Promise<Buffer> {
    const b = await this.read(n);
    if (b.length < n) throw new Error(`The agent's tar stream ended inside ${what}`);
    return b;
  }

  /** The next member's header, or null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    if (this.left > 0) await this.skip();
    let pax: Record<string, string> = {};
    let longName: string | undefined, longLink: string | undefined;
    for (;;) {
      const h = await this.read(512);
      if (h.length < 512 || h.every((b) => b === 0)) return null;
      const flag = String.fromCharCode(h[156]);
      const size = num(h, 124, 12);
      if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
        const body = await this.readFull(size + pad(size), "an extended header");
        const text = body.subarray(0, size);
        if (flag === "x") pax = { ...pax, ...paxRecords(text) };
        else if (flag === "L") longName = field(text, 0, size);
        else if (flag === "K") longLink = field(text, 0, size);
        continue;
      }
      const prefix = h.toString("ascii", 257, 262) === "ustar" ? field(h, 345, 155) : "";
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      const entry: TarEntry = {
        name,
        type: TYPES[flag] ?? "other",
        mode: num(h, 100, 8) & 0o7777,
        size: pax.size !== undefined ? Number(pax.size) : size,
        mtime: new Date((pax.mtime !== undefined ? Number(pax.mtime) : num(h, 136, 12)) * 1000),
        linkname: pax.linkpath ?? longLink ?? field(h, 157, 100),
      };
      this.left = entry.size + pad(entry.size);
      return entry;
    }
  }

  /** The current entry's data in blocks of `blockSize` bytes (the last one shorter). */
  async *data(size: number, blockSize: number): AsyncGenerator<Buffer> {
    for (let rest = size; rest > 0; ) {
      const b = await this.readFull(Math.min(blockSize, rest), "an entry's data");
      rest -= b.length;
      this.left -= b.length;
      yield b;
    }
    await this.skip();
  }

  /** Skips what is left of the current entry (data and padding). */
  async skip(): Promise<void> {
    while (this.left > 0) this.left -= (await this.readFull(Math.min(this.left, 1 << 20), "an entry's data")).length;
  }

  /** Stops reading (closes the source). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
