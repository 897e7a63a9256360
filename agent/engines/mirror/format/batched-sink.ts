// Batches many small writes (one metadata record, one statistics line) into 64 KiB chunks before they reach a
// gzip or file stream: one zlib call per record cost more than the whole rest of an incremental session.
import { once } from "node:events";
import type { Writable } from "node:stream";

const BATCH_BYTES = 64 * 1024;

/**
 * gzip level of the metadata and statistics files: level 1 compresses these repetitive text files within
 * about 5% of level 6 (rdiff-backup writes 9) at a third of the CPU; any gzip is accepted (spec §1.9).
 */
export const METADATA_GZIP_LEVEL = 1;

export class BatchedSink {
  private parts: Buffer[] = [];
  private bytes = 0;
  /** Latin-1 text queued after `parts` (one char per byte): one Buffer per batch instead of one per line. */
  private text = "";

  constructor(private readonly sink: Writable) {}

  /** Queues `b`; resolves once the sink can take more (immediately unless a full batch met back-pressure). */
  write(b: Buffer): Promise<void> | undefined {
    this.takeText();
    this.parts.push(b);
    this.bytes += b.length;
    return this.bytes >= BATCH_BYTES ? this.flush() : undefined;
  }

  /** Queues Latin-1 text (each char one byte); as `write`. */
  writeText(t: string): Promise<void> | undefined {
    this.text += t;
    return this.bytes + this.text.length >= BATCH_BYTES ? this.flush() : undefined;
  }

  private takeText(): void {
    if (!this.text) return;
    const b = Buffer.from(this.text, "latin1");
    this.text = "";
    this.parts.push(b);
    this.bytes += b.length;
  }

  /** Hands the queued bytes to the sink. */
  async flush(): Promise<void> {
    this.takeText();
    if (this.bytes === 0) return;
    const chunk = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    if (!this.sink.write(chunk)) await once(this.sink, "drain");
  }

  /** Flushes and ends the sink. */
  async end(): Promise<void> {
    await this.flush();
    this.sink.end();
  }
}
