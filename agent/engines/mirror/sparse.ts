// Writing files with holes: whole zero blocks are skipped (seeked over) instead of written, and the size is
// set at the end, so a sparse source stays sparse in the mirror and in a restore, as rdiff-backup leaves them.
import { ftruncateSync, writeSync } from "node:fs";

/** Hole granularity: zero runs shorter than this, or not aligned to it in the file, are written. */
const BLOCK = 64 * 1024;
const ZERO = Buffer.alloc(BLOCK);

/** Sequential writer over a new (empty) file descriptor that leaves holes for zero blocks. */
export class SparseWriter {
  /** File offset of the next byte. */
  private pos = 0;
  /** End of the last byte actually written. */
  private writtenEnd = 0;

  constructor(private readonly fd: number) {}

  /** Appends `data` (synchronously; the caller may reuse the buffer afterwards). */
  write(data: Uint8Array): void {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let i = 0;
    while (i < buf.length) {
      // First block may be partial (up to the next BLOCK boundary of the file); later ones are aligned.
      let j = Math.min(buf.length, i + (BLOCK - ((this.pos + i) % BLOCK)));
      if (isZeroBlock(buf, i, j)) {
        i = j;
        continue;
      }
      while (j < buf.length) {
        const e = Math.min(buf.length, j + BLOCK);
        if (isZeroBlock(buf, j, e)) break;
        j = e;
      }
      for (let off = i; off < j; ) off += writeSync(this.fd, buf, off, j - off, this.pos + off);
      this.writtenEnd = this.pos + j;
      i = j;
    }
    this.pos += buf.length;
  }

  /** Gives the file its full length when it ends in a hole; returns the bytes appended in all. */
  finish(): number {
    if (this.writtenEnd < this.pos) ftruncateSync(this.fd, this.pos);
    return this.pos;
  }
}

function isZeroBlock(buf: Buffer, start: number, end: number): boolean {
  return end - start === BLOCK && buf[start] === 0 && buf[end - 1] === 0 && ZERO.equals(buf.subarray(start, end));
}
