// Exact-size reads from an async iterable of chunks (the agent's tar stream as it arrives): a view into the
// current chunk when the bytes lie in one chunk, else one copy that joins the pieces. Tar headers and data
// (tar-reader.ts) and the 1 MiB blocks of the tar.gz (tar-gzip.ts) are read through it.

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

  /** Stops reading (closes the source). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
