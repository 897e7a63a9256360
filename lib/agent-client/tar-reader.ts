// Reads a tar byte stream (ustar, PAX and GNU long names) pulled from an async iterable of chunks: headers
// one at a time (parsed by the archive engine's HeaderRecords), an entry's data as blocks of a chosen size
// without copying when a block lies in one chunk (agent/engines/archive/exact-reader.ts).
import { HeaderRecords, parseNumeric } from "@/agent/engines/archive/tar-indexer";
import { ExactReader } from "@/agent/engines/archive/exact-reader";

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

const pad = (n: number) => (512 - (n % 512)) % 512;

/** Pulls tar members from `source`; call `data()` (or `skip()`) for each entry before the next `next()`. */
export class TarReader {
  private readonly bytes: ExactReader;
  private left = 0;
  private readonly records = new HeaderRecords();

  constructor(source: AsyncIterable<Uint8Array>) {
    this.bytes = new ExactReader(source);
  }

  private async readFull(n: number, what: string): Promise<Buffer> {
    const b = await this.bytes.read(n);
    if (b.length < n) throw new Error(`The agent's tar stream ended inside ${what}`);
    return b;
  }

  /** The next member's header, or null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    if (this.left > 0) await this.skip();
    for (;;) {
      const h = await this.bytes.read(512);
      if (h.length < 512 || h.every((b) => b === 0)) return null;
      const flag = String.fromCharCode(h[156]);
      if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
        const size = parseNumeric(h.subarray(124, 136));
        const body = await this.readFull(size + pad(size), "an extended header");
        this.records.take(flag, body.subarray(0, size));
        continue;
      }
      const f = this.records.member(h, flag);
      const entry: TarEntry = {
        name: f.name.text,
        type: TYPES[flag] ?? "other",
        mode: f.mode & 0o7777,
        size: f.size,
        mtime: new Date(f.mtime * 1000),
        linkname: f.link?.text ?? "",
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
    await this.bytes.close();
  }
}
