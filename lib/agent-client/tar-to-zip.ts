// Re-packs the agent's tar stream as a zip on the fly: entries are read in order, their data deflated ahead
// on the thread pool (parallel-deflate.ts) and written in order, so memory stays bounded by the window.
// Entries that do not shrink (known compressed types, a failed sample, or deflate output not smaller) are
// stored. Cancelling closes the source and ends the stream.
import zlib from "node:zlib";
import { isCompressed } from "./http";
import { BLOCK_SIZE, Batcher, OrderedWindow, deflateBlock, incompressible } from "./parallel-deflate";
import { TarReader, type TarEntry } from "./tar-reader";
import { S_IFDIR, S_IFLNK, S_IFREG, ZIP64_FROM, centralHeader, dataDescriptor, endOfCentralDirectory, localHeader, type ZipEntry } from "./zip-format";

/** How entries are compressed: "auto" deflates (level 1) what shrinks, "store" never compresses. */
export type ZipCompression = "auto" | "store";

/** Whether an entry name could escape the extraction directory (never put into the zip). */
export function unsafeEntryName(name: string): boolean {
  return name.startsWith("/") || name.includes("\0") || name.split("/").some((s) => s === "..");
}

/** Bytes appended into 1 MiB pages (the central directory: no small Buffer per entry kept alive). */
class PagedBytes {
  private readonly pages: Buffer[] = [];
  private used = 0;
  size = 0;

  append(b: Buffer): void {
    for (let off = 0; off < b.length; ) {
      if (!this.pages.length || this.used === PAGE) {
        this.pages.push(Buffer.allocUnsafe(PAGE));
        this.used = 0;
      }
      const n = b.copy(this.pages[this.pages.length - 1], this.used, off);
      this.used += n;
      off += n;
    }
    this.size += b.length;
  }

  /** Every page (the last one trimmed); the store is empty afterwards. */
  take(): Buffer[] {
    const out = this.pages.splice(0);
    if (out.length) out[out.length - 1] = out[out.length - 1].subarray(0, this.used);
    this.used = 0;
    this.size = 0;
    return out;
  }
}

const PAGE = 1 << 20;

/** Output position and central directory of the zip being written (used in output order only). */
class ZipState {
  offset = 0;
  count = 0;
  private readonly central = new PagedBytes();

  /** Starts `e` here: its offset, and its local header. */
  begin(e: ZipEntry): Buffer {
    e.offset = this.offset;
    return this.out(localHeader(e));
  }

  /** Counts bytes going out. */
  out(b: Buffer): Buffer {
    this.offset += b.length;
    return b;
  }

  /** Ends `e`: its central record is kept (packed bytes) for the end. */
  end(e: ZipEntry): void {
    this.central.append(centralHeader(e));
    this.count++;
  }

  /** The central directory and its end records. */
  finish(): Buffer[] {
    const eocd = endOfCentralDirectory(this.count, this.offset, this.central.size);
    return [...this.central.take(), eocd];
  }
}

function newEntry(name: string, mode: number, mtime: Date): ZipEntry {
  return { name: Buffer.from(name), mode, mtime, method: 0, crc: 0, csize: 0, usize: 0, offset: 0, descriptor: false, zip64: false };
}

/** A whole entry known up front (directories, links, files of one block): header and data in one piece. */
function pushWhole(win: OrderedWindow, z: ZipState, e: ZipEntry, data: Buffer, deflate: boolean): void {
  e.crc = zlib.crc32(data);
  e.usize = e.csize = data.length;
  e.zip64 = data.length >= ZIP64_FROM;
  const emit = (packed: Buffer | null) => {
    const body = packed && packed.length < data.length ? packed : data;
    e.method = body === data ? 0 : 8;
    e.csize = body.length;
    const out = [z.begin(e), z.out(body)];
    z.end(e);
    return out;
  };
  win.push(deflate ? deflateBlock(data, 1, true) : null, emit, data.length);
}

/**
 * A file of several blocks: header first, blocks deflated (or stored) ahead, then the data descriptor.
 * Yields what `drain` lets out after each block, so a huge file never fills the window.
 */
async function* pushStreamed(
  win: OrderedWindow,
  z: ZipState,
  e: ZipEntry,
  h: TarEntry,
  blocks: AsyncIterable<Buffer>,
  o: { compression: ZipCompression; drain: () => AsyncGenerator<Buffer> },
): AsyncGenerator<Buffer> {
  e.descriptor = true;
  e.zip64 = h.size >= ZIP64_FROM;
  let crc = 0;
  let done = 0;
  let first = true;
  for await (const block of blocks) {
    crc = zlib.crc32(block, crc);
    done += block.length;
    if (first) e.method = o.compression === "store" || isCompressed(h.name) || incompressible(block) ? 0 : 8;
    const head = first ? () => [z.begin(e)] : () => [];
    first = false;
    const add = (b: Buffer) => {
      e.csize += b.length;
      return [...head(), z.out(b)];
    };
    if (e.method === 0) win.push(block, add, block.length);
    else win.push(deflateBlock(block, 1, done === h.size), add, block.length);
    yield* o.drain();
  }
  const usize = done;
  const finalCrc = crc >>> 0;
  win.push(null, () => {
    e.crc = finalCrc;
    e.usize = usize;
    const out = [z.out(dataDescriptor(e))];
    z.end(e);
    return out;
  }, 0);
}

/** Collects a file of at most one block into one Buffer. */
async function readWhole(r: TarReader, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of r.data(size, BLOCK_SIZE)) parts.push(b);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
}

/** The zip bytes of the tar `source`, in chunks of at least 256 KiB. */
async function* zipOf(r: TarReader, compression: ZipCompression): AsyncGenerator<Buffer> {
  const win = new OrderedWindow();
  const z = new ZipState();
  const batch = new Batcher();
  const drain = (all: boolean) => batch.pass(win.drain(all));
  for (let h = await r.next(); h; h = await r.next()) {
    // Zip readers (Windows, 7-Zip) take "\" as a folder separator: it becomes "_", so no name splits or climbs out.
    const name = h.name.replace(/\/+$/, "").replace(/\\/g, "_");
    if (!name || unsafeEntryName(name)) continue;
    if (h.type === "file") {
      const e = newEntry(name, S_IFREG | h.mode, h.mtime);
      if (h.size > BLOCK_SIZE) yield* pushStreamed(win, z, e, h, r.data(h.size, BLOCK_SIZE), { compression, drain: () => drain(false) });
      else {
        const data = await readWhole(r, h.size);
        pushWhole(win, z, e, data, compression === "auto" && data.length > 0 && !isCompressed(name) && !incompressible(data));
      }
    } else if (h.type === "directory") pushWhole(win, z, newEntry(`${name}/`, S_IFDIR | h.mode, h.mtime), Buffer.alloc(0), false);
    else if (h.type === "symlink" && h.linkname) pushWhole(win, z, newEntry(name, S_IFLNK | h.mode, h.mtime), Buffer.from(h.linkname), false);
    // fifos, devices and hard links have no zip form (hard links come as files when asked with hardLinks=copy)
    yield* drain(false);
  }
  yield* drain(true);
  yield* batch.pass(z.finish());
  const rest = batch.flush();
  if (rest) yield rest;
}

/** A zip stream of the tar `source`, and `cancel` to stop reading it (client gone). */
export function tarToZip(source: AsyncIterable<Uint8Array>, o: { compression?: ZipCompression } = {}): { zip: AsyncIterable<Buffer>; cancel: () => void } {
  const reader = new TarReader(source);
  const gen = zipOf(reader, o.compression ?? "auto");
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    (source as { destroy?: () => void }).destroy?.();
    void reader.close().catch(() => undefined);
    void gen.return(undefined).catch(() => undefined);
  };
  return { zip: gen, cancel };
}
