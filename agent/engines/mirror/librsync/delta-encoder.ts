// Writes librsync delta commands (spec §5.1) the way librsync encodes them: adjacent copies merged,
// literal runs split at 65 536 bytes, each parameter in the smallest width that holds it.

export const DELTA_MAGIC = 0x72730236;
export const OP_END = 0x00;
export const OP_LITERAL_N1 = 0x41;
export const OP_COPY_BASE = 0x45;
export const MAX_LITERAL_RUN = 65536;

const CHUNK = 256 * 1024;

/** Index into [1, 2, 4, 8] of the smallest big-endian width holding `v`. */
export function widthIndex(v: number): number {
  if (v < 0x100) return 0;
  if (v < 0x10000) return 1;
  if (v < 0x100000000) return 2;
  return 3;
}

/** Accumulates delta commands into output chunks that the caller drains with `take()`. */
export class DeltaEncoder {
  private done: Buffer[] = [];
  private out = Buffer.allocUnsafe(CHUNK);
  private outLen = 0;
  private readonly lit = Buffer.allocUnsafe(MAX_LITERAL_RUN);
  private litLen = 0;
  private copyPos = 0;
  private copyLen = 0;
  /** Total delta bytes produced so far (drained or not). */
  bytes = 0;

  constructor() {
    this.reserve(4);
    this.out.writeUInt32BE(DELTA_MAGIC, this.outLen);
    this.outLen += 4;
  }

  /** Appends target bytes `buf[start..end)` that have no match in the basis. */
  literal(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.copyLen > 0) this.flushCopy();
    while (start < end) {
      const take = Math.min(MAX_LITERAL_RUN - this.litLen, end - start);
      this.lit.set(buf.subarray(start, start + take), this.litLen);
      this.litLen += take;
      start += take;
      if (this.litLen === MAX_LITERAL_RUN) this.flushLiteral();
    }
  }

  /** Appends a copy of basis bytes [pos, pos+len), merged with the previous copy when adjacent. */
  copy(pos: number, len: number): void {
    if (len <= 0) return;
    if (this.litLen > 0) this.flushLiteral();
    if (this.copyLen > 0 && this.copyPos + this.copyLen === pos) {
      this.copyLen += len;
      return;
    }
    if (this.copyLen > 0) this.flushCopy();
    this.copyPos = pos;
    this.copyLen = len;
  }

  /** Writes the END command; nothing may follow. */
  end(): void {
    if (this.litLen > 0) this.flushLiteral();
    if (this.copyLen > 0) this.flushCopy();
    this.reserve(1);
    this.out[this.outLen++] = OP_END;
  }

  /** Drains the encoded bytes so far (null when none). */
  take(): Buffer | null {
    if (this.outLen > 0) {
      this.done.push(this.out.subarray(0, this.outLen));
      this.bytes += this.outLen;
      this.out = Buffer.allocUnsafe(CHUNK);
      this.outLen = 0;
    }
    if (this.done.length === 0) return null;
    const res = this.done.length === 1 ? this.done[0] : Buffer.concat(this.done);
    this.done = [];
    return res;
  }

  private reserve(n: number): void {
    if (this.outLen + n <= this.out.length) return;
    this.done.push(this.out.subarray(0, this.outLen));
    this.bytes += this.outLen;
    this.out = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.outLen = 0;
  }

  private flushLiteral(): void {
    const len = this.litLen;
    this.reserve(5 + len);
    const o = this.out;
    let p = this.outLen;
    if (len <= 64) o[p++] = len;
    else if (len < 0x100) { o[p++] = OP_LITERAL_N1; o[p++] = len; }
    else if (len < 0x10000) { o[p++] = OP_LITERAL_N1 + 1; o.writeUInt16BE(len, p); p += 2; }
    else { o[p++] = OP_LITERAL_N1 + 2; o.writeUInt32BE(len, p); p += 4; }
    this.lit.copy(o, p, 0, len);
    this.outLen = p + len;
    this.litLen = 0;
  }

  private flushCopy(): void {
    const wp = widthIndex(this.copyPos);
    const wl = widthIndex(this.copyLen);
    this.reserve(17);
    const o = this.out;
    o[this.outLen++] = OP_COPY_BASE + 4 * wp + wl;
    this.outLen = writeUint(o, this.outLen, this.copyPos, wp);
    this.outLen = writeUint(o, this.outLen, this.copyLen, wl);
    this.copyLen = 0;
  }
}

/** Writes `v` big-endian in 1 << wi bytes at `p`; returns the next offset. */
function writeUint(o: Buffer, p: number, v: number, wi: number): number {
  switch (wi) {
    case 0: o[p] = v; return p + 1;
    case 1: o.writeUInt16BE(v, p); return p + 2;
    case 2: o.writeUInt32BE(v, p); return p + 4;
    default:
      o.writeUInt32BE(Math.floor(v / 0x100000000), p);
      o.writeUInt32BE(v >>> 0, p + 4);
      return p + 8;
  }
}
