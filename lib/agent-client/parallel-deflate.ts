// Parallel deflate for the folder downloads: blocks are compressed on libuv's thread pool several at once
// (zlib's async calls) and come out in submission order through a bounded window. Consecutive blocks form
// one deflate stream the way pigz does it: every block but the last ends with a sync flush (byte-aligned,
// not final), so their raw outputs concatenate; a stream ends with a final empty block.
import { promisify } from "node:util";
import zlib from "node:zlib";

const deflateRaw = promisify(zlib.deflateRaw);
const { Z_FINISH, Z_SYNC_FLUSH } = zlib.constants;

/** Size of the blocks large inputs are cut into. */
export const BLOCK_SIZE = 1 << 20;

/** A final, empty fixed-Huffman block: ends a deflate stream whose blocks were all sync-flushed. */
export const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

/** Below this size a block is deflated at once on the calling thread: a pool round trip costs more (~0.35 ms). */
export const SYNC_BELOW = 128 << 10;

/**
 * Raw deflate of `block` at `level` (0 = stored blocks); `last` ends the stream, else it ends byte-aligned.
 * Large blocks go to the thread pool with an output buffer that fits the worst case (zlib runs once there
 * instead of once per 16 KiB of output); small ones are done synchronously.
 */
export function deflateBlock(block: Buffer, level: number, last: boolean): Promise<Buffer> | Buffer {
  const chunkSize = Math.max(1024, block.length + (block.length >> 10) * 6 + 1024);
  const opts = { level, memLevel: 9, chunkSize, finishFlush: last ? Z_FINISH : Z_SYNC_FLUSH };
  return block.length < SYNC_BELOW ? zlib.deflateRawSync(block, opts) : deflateRaw(block, opts);
}

/**
 * `block` as stored (uncompressed) deflate blocks of at most 65,535 bytes, not final: a 5-byte header
 * before each slice, no copy. Valid after a byte-aligned (sync-flushed) point of the stream.
 */
export function storedBlocks(block: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < block.length; off += 0xffff) {
    const n = Math.min(0xffff, block.length - off);
    const h = Buffer.alloc(5);
    h.writeUInt16LE(n, 1);
    h.writeUInt16LE(~n & 0xffff, 3);
    out.push(h, block.subarray(off, off + n));
  }
  return out;
}

const SAMPLE = 4096;

/**
 * Whether deflating `block` is not worth it: blocks of 64 KiB and more are judged by a sample of 4 KiB at
 * their start and one in their middle (random or already compressed bytes save under 10%); smaller ones
 * are simply compressed (the caller keeps the smaller of both).
 */
export function incompressible(block: Buffer): boolean {
  if (block.length < 16 * SAMPLE) return false;
  const mid = (block.length >> 1) & ~4095;
  for (const at of [0, mid]) {
    const sample = block.subarray(at, at + SAMPLE);
    if (zlib.deflateRawSync(sample, { level: 1 }).length < sample.length * 0.9) return false;
  }
  return true;
}

/** One pending output: work started at submission (`job`), turned into bytes in order by `emit`. */
interface Pending<T> {
  job: Promise<T> | T;
  emit(result: T): Buffer[];
  bytes: number;
}

/**
 * In-order outputs of work that runs ahead: `push` starts a job, `drain` yields the outputs whose turn has
 * come. Memory is bounded by `maxBytes` of input held and `maxItems` jobs in flight.
 */
export class OrderedWindow {
  private readonly queue: Pending<unknown>[] = [];
  private held = 0;

  constructor(
    private readonly maxBytes = 8 << 20,
    private readonly maxItems = 64,
  ) {}

  /** Queues `emit(await job)`; `bytes` is the input it holds until then. */
  push<T>(job: Promise<T> | T, emit: (result: T) => Buffer[], bytes: number): void {
    if (job instanceof Promise) job.catch(() => undefined); // awaited in order later; never unhandled meanwhile
    this.queue.push({ job, emit, bytes } as Pending<unknown>);
    this.held += bytes;
  }

  /** Outputs in order: until the window is within its bounds, or everything when `all`. */
  async *drain(all: boolean): AsyncGenerator<Buffer> {
    while (this.queue.length && (all || this.held >= this.maxBytes || this.queue.length >= this.maxItems)) {
      const p = this.queue.shift()!;
      const out = p.emit(await p.job);
      this.held -= p.bytes;
      yield* out;
    }
  }
}

/** Gathers output pieces into chunks of at least `min` bytes (fewer, larger writes downstream). */
export class Batcher {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly min = 256 << 10) {}

  /** Adds `b`; returns a chunk when one is full. */
  add(b: Buffer): Buffer | null {
    if (!b.length) return null;
    if (!this.size && b.length >= this.min) return b;
    this.parts.push(b);
    this.size += b.length;
    return this.size >= this.min ? this.flush() : null;
  }

  /** Passes `src` through, gathered into chunks (the remainder stays until `flush`). */
  async *pass(src: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const b of src) {
      const c = this.add(b);
      if (c) yield c;
    }
  }

  /** What is gathered, as one chunk (null when empty). */
  flush(): Buffer | null {
    if (!this.size) return null;
    const out = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return out;
  }
}
