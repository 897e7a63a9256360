// librsync's two weak (rolling) checksums over a whole block: rollsum (Adler-like) and RabinKarp.
// The rolling updates themselves are inlined in the delta search loop for speed (see match.ts).

export type WeakKind = "rollsum" | "rabinkarp";

/** librsync's ROLLSUM_CHAR_OFFSET. */
export const ROLLSUM_OFFSET = 31;
/** RabinKarp multiplier and seed (librsync's RABINKARP_MULT, initial hash 1). */
export const RK_MULT = 0x08104225;
export const RK_SEED = 1;

/** rollsum digest of `buf[start..end)`: (s2 & 0xffff) << 16 | (s1 & 0xffff). */
export function rollsum(buf: Uint8Array, start: number, end: number): number {
  let s1 = 0, s2 = 0;
  for (let i = start; i < end; ) {
    // Reduce every 1 KiB so the sums stay small integers whatever the block length; 4 bytes per step.
    const stop = Math.min(end, i + 1024);
    for (; i + 4 <= stop; i += 4) {
      const b0 = buf[i], b1 = buf[i + 1], b2 = buf[i + 2], b3 = buf[i + 3];
      s2 += 4 * s1 + 4 * b0 + 3 * b1 + 2 * b2 + b3;
      s1 += b0 + b1 + b2 + b3;
    }
    for (; i < stop; i++) {
      s1 += buf[i];
      s2 += s1;
    }
    s1 %= 65536;
    s2 %= 65536;
  }
  const n = end - start;
  // The per-byte offset of 31 folds into closed forms: s1 += 31n, s2 += 31·n(n+1)/2.
  s1 = (s1 + ROLLSUM_OFFSET * n) % 65536;
  s2 = (s2 + ROLLSUM_OFFSET * ((n * (n + 1)) / 2)) % 65536;
  return ((s2 << 16) | s1) >>> 0;
}

/** RabinKarp digest of `buf[start..end)`: h = 1; h = h·MULT + b (mod 2³²) per byte. */
export function rabinkarp(buf: Uint8Array, start: number, end: number): number {
  let h = RK_SEED;
  for (let i = start; i < end; i++) h = (Math.imul(h, RK_MULT) + buf[i]) | 0;
  return h >>> 0;
}

/** MULTⁿ mod 2³², the factor that removes the outgoing byte from a RabinKarp window of n bytes. */
export function rabinkarpPower(n: number): number {
  let r = 1, b = RK_MULT, e = n;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
    e = Math.floor(e / 2);
  }
  return r | 0;
}

/** Weak digest of a block using the given kind. */
export function weakSum(kind: WeakKind, buf: Uint8Array, start: number, end: number): number {
  return kind === "rollsum" ? rollsum(buf, start, end) : rabinkarp(buf, start, end);
}
