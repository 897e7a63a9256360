// gzip of the agent's tar stream, compressed in parallel: the stream is cut into 1 MiB blocks deflated ahead
// on the thread pool (parallel-deflate.ts) into one gzip member, like pigz; blocks that do not shrink go
// out as stored deflate blocks (framed here, not copied through zlib). The CRC runs over the input in order on the main thread (zlib.crc32).
import zlib from "node:zlib";
import { ExactReader } from "@/agent/engines/archive/exact-reader";
import { BLOCK_SIZE, Batcher, FINAL_EMPTY_BLOCK, OrderedWindow, deflateBlock, incompressible, storedBlocks } from "./parallel-deflate";

/** How the tar is compressed: "auto" deflates (level 1) the blocks that shrink, "store" none of them. */
export type GzipCompression = "auto" | "store";

/** gzip header: deflate, no name, no mtime, Unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/** The .tar.gz bytes of the tar `source`, in chunks of at least 256 KiB. */
export async function* tarToGzip(source: AsyncIterable<Uint8Array>, o: { compression?: GzipCompression } = {}): AsyncGenerator<Buffer> {
  const win = new OrderedWindow();
  const batch = new Batcher();
  const pass = (b: Buffer) => [b];
  let crc = 0;
  let size = 0;
  win.push(null, () => [HEADER], 0);
  const r = new ExactReader(source);
  try {
    // The tar re-cut into blocks of exactly BLOCK_SIZE bytes (the last one shorter).
    for (let block = await r.read(BLOCK_SIZE); block.length; block = await r.read(BLOCK_SIZE)) {
      crc = zlib.crc32(block, crc);
      size += block.length;
      if (o.compression === "store" || incompressible(block)) win.push(block, storedBlocks, block.length);
      else win.push(deflateBlock(block, 1, false), pass, block.length);
      yield* batch.pass(win.drain(false));
    }
  } finally {
    await r.close().catch(() => undefined); // the source ended, failed or is no longer wanted
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  win.push(null, () => [FINAL_EMPTY_BLOCK, trailer], 0);
  yield* batch.pass(win.drain(true));
  const rest = batch.flush();
  if (rest) yield rest;
}
