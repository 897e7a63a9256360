// The delta search: slides a block-sized window over the target, rolling the weak sum one byte at a time,
// and turns windows whose weak and strong sums match a basis block into COPY commands.
// 1. A hash table (bucket heads + chains) maps weak sums to distinct basis blocks.
// 2. The roll loop touches only typed arrays and a small bit filter (cache-resident, ~1/32 false hits) and
//    stops at the first filter hit.
// 3. On a hit the block right after the previous match is tried first (so copies merge), then the chain;
//    the strong sum is computed once per hit.
// 4. At end of input the window shrinks from the front, which can only match the short last block.
// Input is held in one buffer of bounded size: literal bytes are handed to the encoder before compaction.
import type { DeltaEncoder } from "./delta-encoder";
import { strongKindOf, strongSum, weakKindOf, type Signature, type StrongKind } from "./signature";
import { RK_MULT, rabinkarp, rabinkarpPower, rollsum, ROLLSUM_OFFSET } from "./weaksum";

const HASH_MULT = 0x9e3779b1 | 0;

/** Multiplicative inverse of the (odd) RabinKarp multiplier mod 2³², for shrinking the window. */
const RK_INV = (() => {
  let inv = RK_MULT;
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(RK_MULT, inv));
  return inv;
})();

export class DeltaMatcher {
  private readonly n: number;
  private readonly rollsumKind: boolean;
  private readonly strongKind: StrongKind;
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly shift: number;
  private readonly filter: Int32Array;
  private readonly filterShift: number;
  private buf: Uint8Array;
  private pos = 0;
  private end = 0;
  private litStart = 0;
  private haveWindow = false;
  private s1 = 0;
  private s2 = 0;
  private h = 0;
  private readonly rkPow: number;
  private prevBlock = -2;
  private strongAt = -1;
  private strongVal: Uint8Array | null = null;

  constructor(
    private readonly sig: Signature,
    private readonly enc: DeltaEncoder,
  ) {
    this.n = sig.blockLength;
    this.rollsumKind = weakKindOf(sig.kind) === "rollsum";
    this.strongKind = strongKindOf(sig.kind);
    this.rkPow = rabinkarpPower(this.n);
    let bits = 10;
    while (1 << bits < sig.blockCount * 4 && bits < 28) bits++;
    this.shift = 32 - bits;
    this.head = new Int32Array(1 << bits).fill(-1);
    this.next = new Int32Array(sig.blockCount).fill(-1);
    let fbits = 16;
    while (1 << fbits < sig.blockCount * 32 && fbits < 24) fbits++;
    this.filterShift = 32 - fbits;
    this.filter = new Int32Array(1 << (fbits - 5));
    this.buildTable();
    this.buf = new Uint8Array(Math.max(2 * this.n + 65536, 1 << 20));
  }

  private bucket(weak: number): number {
    return Math.imul(weak, HASH_MULT) >>> this.shift;
  }

  /** Chains distinct (weak, strong) blocks per bucket, lowest index first. */
  private buildTable(): void {
    const { weak, blockCount } = this.sig;
    for (let i = 0; i < blockCount; i++) {
      const f = Math.imul(weak[i], HASH_MULT) >>> this.filterShift;
      this.filter[f >>> 5] |= 1 << (f & 31);
      const b = this.bucket(weak[i]);
      let last = -1;
      let dup = false;
      for (let j = this.head[b]; j !== -1; j = this.next[j]) {
        if (weak[j] === weak[i] && this.sameStrong(i, j)) { dup = true; break; }
        last = j;
      }
      if (dup) continue;
      if (last === -1) this.head[b] = i;
      else this.next[last] = i;
    }
  }

  private sameStrong(i: number, j: number): boolean {
    const sl = this.sig.strongLength, s = this.sig.strong;
    for (let k = 0; k < sl; k++) if (s[i * sl + k] !== s[j * sl + k]) return false;
    return true;
  }

  /** Feeds the next target bytes. */
  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.end === this.buf.length) this.compact();
      const take = Math.min(this.buf.length - this.end, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + take), this.end);
      this.end += take;
      off += take;
      this.scan();
    }
  }

  /** Ends the target: matches the tail and flushes the remaining literal bytes. */
  finish(): void {
    this.scan();
    this.tail();
    this.enc.literal(this.buf, this.litStart, this.end);
    this.litStart = this.pos = this.end;
  }

  private compact(): void {
    this.enc.literal(this.buf, this.litStart, this.pos);
    this.buf.copyWithin(0, this.pos, this.end);
    this.end -= this.pos;
    this.pos = this.litStart = 0;
    this.strongAt = -1;
  }

  private scan(): void {
    const n = this.n;
    if (this.sig.blockCount === 0) {
      this.pos = this.end;
      return;
    }
    for (;;) {
      if (!this.haveWindow) {
        if (this.pos + n > this.end) return;
        if (this.tryContinue()) continue;
        this.loadWindow(this.pos + n);
      }
      if (this.tryMatch()) continue;
      if (!(this.rollsumKind ? this.rollRollsum() : this.rollRabinKarp())) return;
    }
  }

  private loadWindow(end: number): void {
    if (this.rollsumKind) {
      const d = rollsum(this.buf, this.pos, end);
      this.s1 = d & 0xffff;
      this.s2 = d >>> 16;
    } else {
      this.h = rabinkarp(this.buf, this.pos, end) | 0;
    }
    this.haveWindow = true;
  }

  private weak(): number {
    return this.rollsumKind ? ((this.s2 << 16) | this.s1) >>> 0 : this.h >>> 0;
  }

  /** Rolls until a bucket hit (true) or until the window reaches the end of the buffered input (false). */
  private rollRollsum(): boolean {
    const buf = this.buf, filter = this.filter, n = this.n, shift = this.filterShift;
    const nm = n % 65536;
    const last = this.end - n;
    let s1 = this.s1, s2 = this.s2, pos = this.pos, hit = false;
    while (pos < last) {
      const o = buf[pos] + ROLLSUM_OFFSET;
      s1 = (s1 + buf[pos + n] + ROLLSUM_OFFSET - o) & 0xffff;
      s2 = (s2 + s1 - nm * o) & 0xffff;
      pos++;
      const f = Math.imul((s2 << 16) | s1, HASH_MULT) >>> shift;
      if ((filter[f >>> 5] & (1 << (f & 31))) !== 0) { hit = true; break; }
    }
    this.s1 = s1; this.s2 = s2; this.pos = pos;
    return hit;
  }

  private rollRabinKarp(): boolean {
    const buf = this.buf, filter = this.filter, n = this.n, shift = this.filterShift, pw = this.rkPow;
    const last = this.end - n;
    let h = this.h, pos = this.pos, hit = false;
    while (pos < last) {
      h = (Math.imul(h, RK_MULT) + buf[pos + n] - Math.imul(pw, buf[pos] + RK_MULT - 1)) | 0;
      pos++;
      const f = Math.imul(h, HASH_MULT) >>> shift;
      if ((filter[f >>> 5] & (1 << (f & 31))) !== 0) { hit = true; break; }
    }
    this.h = h; this.pos = pos;
    return hit;
  }

  /**
   * Right after a match, tries the next basis block by strong sum alone: in a run of unchanged data this
   * skips the weak sum. The strong sum is kept for tryMatch at the same position.
   */
  private tryContinue(): boolean {
    const cont = this.prevBlock + 1;
    if (cont <= 0 || cont >= this.sig.blockCount) return false;
    const strong = strongSum(this.strongKind, this.buf, this.pos, this.n);
    if (this.strongEquals(cont, strong)) return this.emitMatch(cont, this.n);
    this.strongAt = this.pos;
    this.strongVal = strong;
    return false;
  }

  /** Checks the full window at pos; on a match emits it and moves past it. */
  private tryMatch(): boolean {
    const weak = this.weak();
    const { weak: weaks, blockCount } = this.sig;
    // Reuse tryContinue's strong sum (no other strong sum is computed in between: scan is synchronous).
    let strong: Uint8Array | null = this.strongAt === this.pos ? this.strongVal : null;
    this.strongAt = -1;
    const cont = this.prevBlock + 1;
    if (cont > 0 && cont < blockCount && weaks[cont] === weak) {
      strong ??= strongSum(this.strongKind, this.buf, this.pos, this.n);
      if (this.strongEquals(cont, strong)) return this.emitMatch(cont, this.n);
    }
    for (let j = this.head[this.bucket(weak)]; j !== -1; j = this.next[j]) {
      if (weaks[j] !== weak) continue;
      strong ??= strongSum(this.strongKind, this.buf, this.pos, this.n);
      if (this.strongEquals(j, strong)) return this.emitMatch(j, this.n);
    }
    return false;
  }

  private strongEquals(block: number, strong: Uint8Array): boolean {
    const sl = this.sig.strongLength, s = this.sig.strong, base = block * sl;
    for (let k = 0; k < sl; k++) if (s[base + k] !== strong[k]) return false;
    return true;
  }

  private emitMatch(block: number, len: number): true {
    this.enc.literal(this.buf, this.litStart, this.pos);
    this.enc.copy(block * this.n, len);
    this.pos += len;
    this.litStart = this.pos;
    this.haveWindow = false;
    this.prevBlock = block;
    return true;
  }

  /** Shrinks the window [pos, end) from the front, looking for the (possibly short) last block. */
  private tail(): void {
    const { weak: weaks, blockCount } = this.sig;
    if (blockCount === 0 || this.pos >= this.end) return;
    const lastBlock = blockCount - 1;
    const target = weaks[lastBlock];
    let len = this.end - this.pos;
    let p = 0;
    if (!this.haveWindow) {
      this.loadWindow(this.end);
      if (this.checkTail(lastBlock, target, len)) return;
    }
    if (!this.rollsumKind) p = rabinkarpPower(len);
    while (len > 1) {
      const o = this.buf[this.pos];
      if (this.rollsumKind) {
        this.s1 = (this.s1 - (o + ROLLSUM_OFFSET)) & 0xffff;
        this.s2 = (this.s2 - ((len % 65536) * (o + ROLLSUM_OFFSET)) % 65536) & 0xffff;
      } else {
        p = Math.imul(p, RK_INV);
        this.h = (this.h - Math.imul(p, o + RK_MULT - 1)) | 0;
      }
      this.pos++;
      len--;
      if (this.checkTail(lastBlock, target, len)) return;
    }
  }

  private checkTail(block: number, target: number, len: number): boolean {
    if (this.weak() !== target) return false;
    if (!this.strongEquals(block, strongSum(this.strongKind, this.buf, this.pos, len))) return false;
    this.emitMatch(block, len);
    return true;
  }
}
