// Byte reader over an async stream of chunks for the patcher: small big-endian integers may straddle
// chunks; literal data is handed out as zero-copy slices. Awaits only when the current chunk runs dry.

const EMPTY = Buffer.alloc(0);

export class DeltaReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Buffer = EMPTY;
  private off = 0;
  private ended = false;
  /** Bytes consumed so far (for error messages). */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.buf.length - this.off;
  }

  /** True when `n` bytes are available without waiting. */
  has(n: number): boolean {
    return this.buf.length - this.off >= n;
  }

  /** Makes at least `n` bytes available; false if the stream ends first. */
  fill(n: number): boolean | Promise<boolean> {
    if (this.buf.length - this.off >= n) return true;
    return this.fillSlow(n);
  }

  private async fillSlow(n: number): Promise<boolean> {
    while (this.buf.length - this.off < n) {
      if (this.ended) return false;
      const { value, done } = await this.it.next();
      if (done) {
        this.ended = true;
        return false;
      }
      const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (chunk.length === 0) continue;
      this.buf = this.off === this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.off), chunk]);
      this.off = 0;
    }
    return true;
  }

  /** Reads a big-endian unsigned integer of 1, 2, 4 or 8 bytes (call fill first). */
  uint(width: number): number {
    const b = this.buf, p = this.off;
    this.off += width;
    this.offset += width;
    switch (width) {
      case 1: return b[p];
      case 2: return b.readUInt16BE(p);
      case 4: return b.readUInt32BE(p);
      default: return b.readUInt32BE(p) * 0x100000000 + b.readUInt32BE(p + 4);
    }
  }

  /** Up to `max` of the available bytes (call fill(1) first). */
  take(max: number): Buffer {
    const n = Math.min(max, this.buf.length - this.off);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    this.offset += n;
    return out;
  }

  /** Stops the underlying stream early (on error). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
