// Streaming reader and writer of mirror_metadata files (§1.6): records in, records out, bounded memory.
// Handles gzip by file name and the "empty file → no .gz" rule rdiff-backup applies to metadata diffs.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { createGunzip, createGzip, type Gzip } from "node:zlib";
import { once } from "node:events";
import { BatchedSink, METADATA_GZIP_LEVEL } from "./batched-sink";
import { applyFieldText, comparePaths, parseRecordNameText, serializeRecordLatin1, type MetaRecord } from "./metadata-record";

/** Splits a byte stream into lines (without the `\n`); the last line may lack a newline. */
export async function* splitLines(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const c of chunks) {
    const chunk = typeof c === "string" ? Buffer.from(c) : c;
    let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      yield buf.subarray(start, nl);
      start = nl + 1;
    }
    rest = Buffer.from(buf.subarray(start));
    buf = rest;
  }
  if (rest.length) yield rest;
}

const FIELD_KEY = /^[A-Za-z0-9]+$/;

/**
 * Parses mirror_metadata bytes into records, in file order. Lines before the first `File` are ignored.
 * Works on Latin-1 text (one char per byte, so any bytes survive): far fewer allocations than a Buffer per line.
 */
export async function* parseMetadata(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  onUnknown?: (key: string) => void,
): AsyncGenerator<MetaRecord> {
  for await (const batch of parseMetadataBatches(chunks, onUnknown)) yield* batch;
}

/** parseMetadata yielding the records of each input chunk together (one await per chunk, not per record). */
export async function* parseMetadataBatches(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  onUnknown?: (key: string) => void,
): AsyncGenerator<MetaRecord[]> {
  let cur: MetaRecord | undefined;
  let rest = "";
  /** Applies one line; returns the finished record when the line starts the next one. */
  const line = (l: string): MetaRecord | undefined => {
    if (l.startsWith("File ")) {
      const done = cur;
      cur = { path: parseRecordNameText(l.slice(5)), type: null };
      return done;
    }
    if (!cur) return undefined;
    let i = 0;
    while (l.charCodeAt(i) === 0x20) i++;
    const sp = l.indexOf(" ", i);
    if (sp <= i || sp + 1 >= l.length) return undefined;
    const key = l.slice(i, sp);
    if (FIELD_KEY.test(key)) applyFieldText(cur, key, l.slice(sp + 1), onUnknown);
    return undefined;
  };
  for await (const c of chunks) {
    const text = rest + (typeof c === "string" ? Buffer.from(c).toString("latin1") : c.toString("latin1"));
    const batch: MetaRecord[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const done = line(text.slice(start, nl));
      start = nl + 1;
      if (done) batch.push(done);
    }
    rest = text.slice(start);
    if (batch.length) yield batch;
  }
  const last: MetaRecord[] = [];
  if (rest.length) {
    const done = line(rest);
    if (done) last.push(done);
  }
  if (cur) last.push(cur);
  if (last.length) yield last;
}

/** Chunk size for reading whole metadata files: a few thread-pool round trips instead of one per 16/64 KiB. */
export const BULK_READ_CHUNK = 512 * 1024;

/** Raw byte stream of a file, gunzipped when `gz` (default: when the name ends in `.gz`). */
export function openMaybeGzip(path: string | Buffer, gz?: boolean, chunk?: number): AsyncIterable<Buffer> {
  const raw = createReadStream(path, chunk ? { highWaterMark: chunk } : {});
  if (!(gz ?? path.toString("latin1").endsWith(".gz"))) return raw;
  const gunzip = createGunzip(chunk ? { chunkSize: chunk } : {});
  raw.on("error", (e) => gunzip.destroy(e));
  // pipe() never closes the source when the reader stops early: do it, or the descriptor leaks.
  gunzip.on("close", () => raw.destroy());
  return raw.pipe(gunzip);
}

/** Records of one mirror_metadata file in batches (one per chunk read). */
export function readMetadataFileBatches(path: string): AsyncGenerator<MetaRecord[]> {
  return parseMetadataBatches(openMaybeGzip(path, undefined, BULK_READ_CHUNK));
}

/** Records of one mirror_metadata file (snapshot or diff, compressed or not). */
export function readMetadataFile(path: string, onUnknown?: (key: string) => void): AsyncGenerator<MetaRecord> {
  return parseMetadata(openMaybeGzip(path, undefined, BULK_READ_CHUNK), onUnknown);
}

export type Compression = "always" | "maybe" | "never";

/**
 * Push-style writer of a sorted mirror_metadata file. `basePath` is the name without `.gz`;
 * "always" writes `<base>.gz`, "never" `<base>`, "maybe" `<base>.gz` unless no record came (then an
 * empty `<base>`). Refuses records out of order.
 */
export class MetadataWriter {
  private out?: WriteStream;
  private gz?: Gzip;
  private sink?: BatchedSink;
  private last?: Buffer;
  count = 0;
  /** The file actually written (known after `close`). */
  path: string;

  constructor(private readonly basePath: string, private readonly compression: Compression = "always") {
    this.path = compression === "never" ? basePath : `${basePath}.gz`;
  }

  private open(plain = this.compression === "never"): void {
    this.out = createWriteStream(this.path);
    if (!plain) {
      this.gz = createGzip({ level: METADATA_GZIP_LEVEL });
      this.gz.pipe(this.out);
    }
    this.sink = new BatchedSink(this.gz ?? this.out);
  }

  /** Appends one record; resolves when the stream can take more. */
  async write(rec: MetaRecord): Promise<void> {
    if (this.last && comparePaths(this.last, rec.path) >= 0) {
      throw new Error(`Cannot write metadata "${this.path}": record "${rec.path.toString()}" is out of order`);
    }
    this.last = rec.path;
    if (!this.out) this.open();
    this.count++;
    await this.sink!.writeText(serializeRecordLatin1(rec));
  }

  /** Flushes and closes; writes the empty uncompressed file for "maybe" with no records. */
  async close(): Promise<string> {
    if (!this.out) {
      const empty = this.compression === "maybe";
      if (empty) this.path = this.basePath;
      this.open(empty || this.compression === "never");
    }
    const done = once(this.out!, "close");
    await this.sink!.end();
    await done;
    return this.path;
  }
}

/** Writes all records of an iterable (already sorted) into one metadata file; resolves to its path. */
export async function writeMetadataFile(
  basePath: string,
  records: AsyncIterable<MetaRecord> | Iterable<MetaRecord>,
  compression: Compression = "always",
): Promise<string> {
  const w = new MetadataWriter(basePath, compression);
  for await (const r of records) await w.write(r);
  return w.close();
}
