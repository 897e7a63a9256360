// BLAKE2b (RFC 7693) with a configurable digest size, in TypeScript: librsync's newer strong sum uses
// BLAKE2b-256 (digest_size 32), which node:crypto does not offer (it has only blake2b512). Unkeyed only.

const IV = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
// Word offsets (in 32-bit halves) of each message word for each of the 12 rounds.
const SIGMA2 = new Uint8Array(12 * 16);
for (let r = 0; r < 12; r++) for (let i = 0; i < 16; i++) SIGMA2[r * 16 + i] = SIGMA[r % 10][i] * 2;

const v = new Uint32Array(32);
const m = new Uint32Array(32);
const h = new Uint32Array(16);
const block = new Uint8Array(128);

/** v[a] += v[b] as 64-bit values held as (lo, hi) pairs. */
function add64(a: number, b: number): void {
  const lo = v[a] + v[b];
  let hi = v[a + 1] + v[b + 1];
  if (lo >= 0x100000000) hi++;
  v[a] = lo;
  v[a + 1] = hi;
}

function add64m(a: number, lo0: number, hi0: number): void {
  const lo = v[a] + lo0;
  let hi = v[a + 1] + hi0;
  if (lo >= 0x100000000) hi++;
  v[a] = lo;
  v[a + 1] = hi;
}

function mix(a: number, b: number, c: number, d: number, ix: number, iy: number): void {
  add64(a, b);
  add64m(a, m[ix], m[ix + 1]);
  let xl = v[d] ^ v[a], xh = v[d + 1] ^ v[a + 1];
  v[d] = xh; v[d + 1] = xl; // rotr 32
  add64(c, d);
  xl = v[b] ^ v[c]; xh = v[b + 1] ^ v[c + 1];
  v[b] = (xl >>> 24) ^ (xh << 8); v[b + 1] = (xh >>> 24) ^ (xl << 8); // rotr 24
  add64(a, b);
  add64m(a, m[iy], m[iy + 1]);
  xl = v[d] ^ v[a]; xh = v[d + 1] ^ v[a + 1];
  v[d] = (xl >>> 16) ^ (xh << 16); v[d + 1] = (xh >>> 16) ^ (xl << 16); // rotr 16
  add64(c, d);
  xl = v[b] ^ v[c]; xh = v[b + 1] ^ v[c + 1];
  v[b] = (xh >>> 31) ^ (xl << 1); v[b + 1] = (xl >>> 31) ^ (xh << 1); // rotr 63
}

function compress(buf: Uint8Array, off: number, counter: number, last: boolean): void {
  for (let i = 0; i < 16; i++) { v[i] = h[i]; v[i + 16] = IV[i]; }
  v[24] ^= counter >>> 0;
  v[25] ^= Math.floor(counter / 0x100000000);
  if (last) { v[28] = ~v[28]; v[29] = ~v[29]; }
  for (let i = 0; i < 32; i++, off += 4) {
    m[i] = buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24);
  }
  for (let r = 0; r < 12; r++) {
    const s = r * 16;
    mix(0, 8, 16, 24, SIGMA2[s], SIGMA2[s + 1]);
    mix(2, 10, 18, 26, SIGMA2[s + 2], SIGMA2[s + 3]);
    mix(4, 12, 20, 28, SIGMA2[s + 4], SIGMA2[s + 5]);
    mix(6, 14, 22, 30, SIGMA2[s + 6], SIGMA2[s + 7]);
    mix(0, 10, 20, 30, SIGMA2[s + 8], SIGMA2[s + 9]);
    mix(2, 12, 22, 24, SIGMA2[s + 10], SIGMA2[s + 11]);
    mix(4, 14, 16, 26, SIGMA2[s + 12], SIGMA2[s + 13]);
    mix(6, 8, 18, 28, SIGMA2[s + 14], SIGMA2[s + 15]);
  }
  for (let i = 0; i < 16; i++) h[i] = h[i] ^ v[i] ^ v[i + 16];
}

/** BLAKE2b digest of `data[offset..offset+length)` with `outLen` (1..64) bytes, librsync uses 32. */
export function blake2b(data: Uint8Array, offset = 0, length = data.length - offset, outLen = 32): Uint8Array {
  if (outLen < 1 || outLen > 64) throw new RangeError(`BLAKE2b digest size "${outLen}" is out of range 1..64`);
  h.set(IV);
  h[0] ^= 0x01010000 ^ outLen;
  const end = offset + length;
  let p = offset;
  // Every full block except the final one (which may be full) is compressed as non-last.
  while (end - p > 128) {
    compress(data, p, p - offset + 128, false);
    p += 128;
  }
  block.fill(0);
  block.set(data.subarray(p, end), 0);
  compress(block, 0, length, true);
  const out = new Uint8Array(outLen);
  for (let i = 0; i < outLen; i++) out[i] = h[i >> 2] >>> (8 * (i & 3));
  return out;
}
