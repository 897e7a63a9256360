// Compressed output for archives and dumps: a block compressor that cuts the stream into independent
// blocks (~1 MiB; gzip members, zstd frames, xz streams, bzip2 streams — each concatenation is a valid
// file for the standard tools), compresses them in parallel and records where each block starts.
import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import os from "node:os";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { writevSync } from "node:fs";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { Compression } from "./naming";
import { nativeZstd } from "./zstd-native";
import { ZstdPool } from "./zstd-pool";

export type { Compression } from "./naming";

/** Start of one compressed block: `u` = offset in the uncompressed stream, `c` = offset in the file. */
export interface BlockEntry {
  u: number;
  c: number;
}

/** What a compressed write produced. */
export interface CompressResult {
  bytesIn: number;
  bytesOut: number;
  /** One entry per block, in order (empty for "none": offsets are direct). */
  blocks: BlockEntry[];
  /** Digests of the written (compressed) bytes, computed while writing (on a worker thread); set once finished. */
  md5: string;
  sha256: string;
}

export const DEFAULT_BLOCK_SIZE = 1 << 20;

/** Blocks in flight: one per core plus one being written. */
export const DEFAULT_CONCURRENCY = os.availableParallelism() + 1;

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

const TOOL: Record<Exclude<Compression, "none" | "gzip">, { c: string[]; d: string[] }> = {
  bzip2: { c: ["bzip2", "-c", "-9"], d: ["bzip2", "-dc"] },
  xz: { c: ["xz", "-c", "-6", "-T1"], d: ["xz", "-dc"] },
  zstd: { c: ["zstd", "-c", "-q", "-3"], d: ["zstd", "-dc", "-q"] },
};

/** Feeds `input` to a filter program (argv) and resolves to its standard output. */
export function runFilter(argv: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (e) => reject(new Error(`Cannot run "${argv[0]}": ${e.message}`, { cause: e })));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`"${argv.join(" ")}" failed (exit ${code}): ${err.trim() || "no message"}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

/** Compresses one block into a self-contained member/frame/stream. */
export function compressBlock(c: Compression, buf: Buffer): Promise<Buffer> {
  if (c === "none") return Promise.resolve(buf);
  if (c === "gzip") return gzip(buf, { level: 6 });
  const native = c === "zstd" ? nativeZstd() : undefined;
  return native ? native.compress(buf) : runFilter(TOOL[c].c, buf);
}

/** Decompresses bytes made of one or more whole blocks. */
export function decompressBlocks(c: Compression, buf: Buffer): Promise<Buffer> {
  if (c === "none") return Promise.resolve(buf);
  if (c === "gzip") return gunzip(buf);
  const native = c === "zstd" ? nativeZstd() : undefined;
  return native ? native.decompress(buf) : runFilter(TOOL[c].d, buf);
}

/** Argv of a streaming decompressor for a whole file (undefined for none/gzip, handled by zlib). */
export function decompressorArgv(c: Compression): string[] | undefined {
  return c === "none" || c === "gzip" ? undefined : TOOL[c].d;
}

const HASH_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { readSync } = require("node:fs");
const { createHash } = require("node:crypto");
const md5 = createHash("md5"), sha256 = createHash("sha256");
const buf = Buffer.allocUnsafeSlow(1 << 20);
parentPort.on("message", (m) => {
  if (m === "end") return parentPort.postMessage({ md5: md5.digest("hex"), sha256: sha256.digest("hex") });
  const [pos, len] = m;
  for (let done = 0; done < len; ) {
    const n = readSync(workerData.fd, buf, 0, Math.min(buf.length, len - done), pos + done);
    if (n === 0) throw new Error("the file is shorter than what was written to it");
    const b = buf.subarray(0, n);
    md5.update(b);
    sha256.update(b);
    done += n;
  }
  parentPort.postMessage({ ack: len });
});`;

/** Bytes written and not hashed yet, above which the writer waits (keeps the worker's reads in the page cache). */
const HASH_BACKLOG = 16 << 20;

/**
 * md5 + SHA-256 of the written bytes, computed on a worker thread (another core) while the pipeline runs: the
 * worker reads each written range back from the file (the page cache) through the same descriptor, so the
 * main thread sends it two numbers per block instead of the block's bytes.
 */
class OutputHashes {
  private readonly worker: Worker;
  private failed?: Error;
  private backlog = 0;
  private waiters: (() => void)[] = [];
  private result?: (d: { md5: string; sha256: string }) => void;

  /** `fd`: the output, open for reading too. */
  constructor(fd: number) {
    this.worker = new Worker(HASH_WORKER, { eval: true, workerData: { fd } });
    this.worker.on("error", (e) => {
      this.failed = e;
      for (const w of this.waiters.splice(0)) w();
    });
    this.worker.on("message", (m: { ack?: number; md5?: string; sha256?: string }) => {
      if (m.ack !== undefined) {
        this.backlog -= m.ack;
        if (this.backlog <= HASH_BACKLOG) for (const w of this.waiters.splice(0)) w();
      } else this.result?.({ md5: m.md5!, sha256: m.sha256! });
    });
    this.worker.unref();
  }

  /** Queues the written range [pos, pos + len) for hashing; resolves when the backlog is small enough to go on. */
  async update(pos: number, len: number): Promise<void> {
    if (this.failed) throw this.failed;
    if (len === 0) return;
    this.backlog += len;
    this.worker.postMessage([pos, len]);
    if (this.backlog > HASH_BACKLOG) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failed) throw this.failed;
  }

  async digest(): Promise<{ md5: string; sha256: string }> {
    if (this.failed) throw this.failed;
    this.worker.ref();
    const done = new Promise<{ md5: string; sha256: string }>((resolve, reject) => {
      this.result = resolve;
      this.worker.once("error", reject);
    });
    this.worker.postMessage("end");
    try {
      return await done;
    } finally {
      void this.worker.terminate();
    }
  }

  close(): void {
    void this.worker.terminate();
  }
}

/**
 * A Writable that compresses everything written to it block by block into `out` (an open file),
 * keeping up to `concurrency` blocks in flight and writing them in order.
 */
export class BlockCompressor extends Writable {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private queue: Promise<{ frame: Buffer[]; len: number }>[] = [];
  /** Reused 1-block input buffers (no fresh allocation, and no page faults, per block). */
  private readonly spare: Buffer[] = [];
  private uOffset = 0;
  private cOffset = 0;
  private readonly hashes: OutputHashes;
  private digests?: { md5: string; sha256: string };
  /** zstd without the in-process library: persistent compressors (one per core) fed block by block. */
  private readonly pool?: ZstdPool;
  readonly blocks: BlockEntry[] = [];

  constructor(
    private readonly out: FileHandle,
    private readonly compression: Compression,
    private readonly blockSize = DEFAULT_BLOCK_SIZE,
    private readonly concurrency = DEFAULT_CONCURRENCY,
    /** Sees every chunk as it arrives (e.g. TarIndexer.observe), without a stream stage of its own. */
    private readonly observe?: (chunk: Buffer) => void,
  ) {
    super({ highWaterMark: blockSize });
    this.hashes = new OutputHashes(out.fd);
    if (compression === "zstd" && !nativeZstd()) this.pool = new ZstdPool();
  }

  result(): CompressResult {
    return {
      bytesIn: this.uOffset,
      bytesOut: this.cOffset,
      blocks: this.compression === "none" ? [] : this.blocks,
      md5: this.digests?.md5 ?? "",
      sha256: this.digests?.sha256 ?? "",
    };
  }

  /** Hands the pending bytes (at most one block) to a compressor; zstd processes take the chunks as they are. */
  private cut(): void {
    if (this.pendingLen === 0) return;
    const parts = this.pending;
    const len = this.pendingLen;
    this.pending = [];
    this.pendingLen = 0;
    let job: Promise<{ frame: Buffer[]; len: number }>;
    if (this.pool) job = this.pool.compress(parts).then((frame) => ({ frame, len }));
    else if (this.compression === "none") job = Promise.resolve({ frame: parts, len });
    else {
      // The block is gathered into a reused buffer, given back once compressed (the compressor is done with it).
      const block = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.blockSize);
      let at = 0;
      for (const b of parts) at += b.copy(block, at);
      job = compressBlock(this.compression, block.subarray(0, len)).then(
        (b) => {
          this.spare.push(block);
          return { frame: [b], len };
        },
        (err: unknown) => {
          this.spare.push(block);
          throw err;
        },
      );
    }
    job.catch(() => undefined);
    this.queue.push(job);
  }

  /** Writes the oldest block's compressed bytes (possibly in several pieces), then has them hashed. */
  private async flushHead(): Promise<void> {
    const { frame, len } = await this.queue.shift()!;
    this.blocks.push({ u: this.uOffset, c: this.cOffset });
    let size = 0;
    for (const b of frame) size += b.length;
    let pieces = frame.filter((b) => b.length > 0);
    // Written synchronously (a page-cache copy): through the thread pool, the write would wait behind the
    // blocks being compressed there, and the next blocks behind it.
    while (pieces.length) {
      let n = writevSync(this.out.fd, pieces);
      while (pieces.length && n >= pieces[0].length) n -= pieces.shift()!.length;
      if (n > 0) pieces[0] = pieces[0].subarray(n);
    }
    const at = this.cOffset;
    this.uOffset += len;
    this.cOffset += size;
    await this.hashes.update(at, size);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      this.observe?.(chunk);
    } catch (err) {
      return cb(err as Error);
    }
    void this.take(chunk).then(() => cb(), cb);
  }

  private async take(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const unit = this.blockSize;
      const n = Math.min(unit - this.pendingLen, chunk.length - off);
      this.pending.push(chunk.subarray(off, off + n));
      this.pendingLen += n;
      off += n;
      if (this.pendingLen >= unit) {
        this.cut();
        while (this.queue.length >= this.concurrency) await this.flushHead();
      }
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.cut();
    const drain = async () => {
      try {
        while (this.queue.length > 0) await this.flushHead();
        this.digests = await this.hashes.digest();
      } finally {
        await this.pool?.close();
      }
    };
    void drain().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.hashes.close();
    if (!this.pool) return cb(err);
    void this.pool.close().then(() => cb(err), () => cb(err));
  }
}

/** Compresses `input` into `file` (created or truncated, mode `mode`); not atomic, see writeAtomically. */
export async function compressStreamToFile(
  input: Readable,
  file: string,
  opts: { compression: Compression; mode?: number; blockSize?: number; concurrency?: number; signal?: AbortSignal },
): Promise<CompressResult> {
  const fh = await open(file, "w+", opts.mode ?? 0o600); // read back by the hash worker
  try {
    const sink = new BlockCompressor(fh, opts.compression, opts.blockSize, opts.concurrency);
    await pipeline(input, sink, { signal: opts.signal });
    await fh.sync();
    return sink.result();
  } finally {
    await fh.close();
  }
}
