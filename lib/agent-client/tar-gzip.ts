// gzip of the agent's tar stream, compressed in parallel: the stream is cut into 1 MiB blocks deflated ahead
// on the thread pool (parallel-deflate.ts) into one gzip member, like pigz; blocks that do not shrink go
// out as stored deflate blocks (framed here, not copied through zlib). The CRC runs over the input in order on the main thread (zlib.crc32).
import zlib from "node:zlib";
import { BLOCK_SIZE, Batcher, FINAL_EMPTY_BLOCK, OrderedWindow, deflateBlock, incompressible, storedBlocks } from "./parallel-deflate";

/** How the tar is compressed: "auto" deflates (level 1) the blocks that shrink, "store" none of them. */
export type GzipCompression = "auto" | "store";

/** gzip header: deflate, no name, no mtime, Unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/** `source` re-cut into blocks of exactly `size` bytes (the last one shorter). */
export async function* blocksOf(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of source) {
    let c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (have + c.length >= size) {
      const take = size - have;
      parts.push(c.subarray(0, take));
      yield parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
      parts = [];
      have = 0;
      c = c.subarray(take);
    }
    if (c.length) {
      parts.push(c);
      have += c.length;
    }
  }
  if (have) yield Buffer.concat(parts, have);
}

/** The .tar.gz bytes of the tar `source`, in chunks of at least 256 KiB. */
export async function* tarToGzip(source: AsyncIterable<Uint8Array>, o: { compression?: GzipCompression } = {}): AsyncGenerator<Buffer> {
  const win = new OrderedWindow();
  const batch = new Batcher();
  const pass = (b: Buffer) => [b];
  let crc = 0;
  let size = 0;
  win.push(null, () => [HEADER], 0);
  for await (const block of blocksOf(source, BLOCK_SIZE)) {
    crc = zlib.crc32(block, crc);
    size += block.length;
    if (o.compression === "store" || incompressible(block)) win.push(block, storedBlocks, block.length);
    else win.push(deflateBlock(block, 1, false), pass, block.length);
    yield* batch.pass(win.drain(false));
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  win.push(null, () => [FINAL_EMPTY_BLOCK, trailer], 0);
  yield* batch.pass(win.drain(true));
  const rest = batch.flush();
  if (rest) yield rest;
}
