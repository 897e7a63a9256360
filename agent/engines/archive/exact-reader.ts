// Exact-size reads from an async iterable of chunks (a tar stream as it arrives): a view into the current
// chunk when the bytes lie in one chunk, else one copy that joins the pieces. The archive engine's tar reader
// (tar-read.ts), and the console's tar reader and tar.gz blocks (lib/agent-client) read through it.

export class ExactReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes; fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    if (this.chunk.length - this.pos >= n) {
      this.pos += n;
      return this.chunk.subarray(this.pos - n, this.pos);
    }
    const rest = this.chunk.subarray(this.pos);
    const parts: Buffer[] = rest.length ? [rest] : [];
    let have = rest.length;
    while (have < n) {
      const r = await this.it.next();
      if (r.done) {
        this.chunk = Buffer.alloc(0);
        this.pos = 0;
        break;
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

  /** The next `n` bytes as chunks of at most 1 MiB; the stream must hold them all. */
  async *take(n: number): AsyncGenerator<Buffer> {
    while (n > 0) {
      const b = await this.read(Math.min(n, 1 << 20));
      if (b.length === 0) throw new Error("tar stream ended inside a member");
      n -= b.length;
      yield b;
    }
  }

  /** Skips `n` bytes (or up to the end of the stream). */
  async skip(n: number): Promise<void> {
    while (n > 0) {
      const b = await this.read(Math.min(n, 1 << 20));
      if (b.length === 0) return;
      n -= b.length;
    }
  }

  /** Stops reading (closes the source). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
