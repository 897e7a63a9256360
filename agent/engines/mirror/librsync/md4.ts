// MD4 (RFC 1320) in TypeScript: librsync's classic strong sum, which Node's OpenSSL 3 no longer offers.
// One-shot over a byte range, no allocation per call: signatures hash millions of small blocks.

const pad = new Uint8Array(128);

/** Runs the 48 MD4 steps (unrolled, RFC 1320 order) over `buf[off..off+64)`, updating `h` in place. */
function compress(h: Int32Array, buf: Uint8Array, off: number): void {
  const x0 = buf[off + 0] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24);
  const x1 = buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24);
  const x2 = buf[off + 8] | (buf[off + 9] << 8) | (buf[off + 10] << 16) | (buf[off + 11] << 24);
  const x3 = buf[off + 12] | (buf[off + 13] << 8) | (buf[off + 14] << 16) | (buf[off + 15] << 24);
  const x4 = buf[off + 16] | (buf[off + 17] << 8) | (buf[off + 18] << 16) | (buf[off + 19] << 24);
  const x5 = buf[off + 20] | (buf[off + 21] << 8) | (buf[off + 22] << 16) | (buf[off + 23] << 24);
  const x6 = buf[off + 24] | (buf[off + 25] << 8) | (buf[off + 26] << 16) | (buf[off + 27] << 24);
  const x7 = buf[off + 28] | (buf[off + 29] << 8) | (buf[off + 30] << 16) | (buf[off + 31] << 24);
  const x8 = buf[off + 32] | (buf[off + 33] << 8) | (buf[off + 34] << 16) | (buf[off + 35] << 24);
  const x9 = buf[off + 36] | (buf[off + 37] << 8) | (buf[off + 38] << 16) | (buf[off + 39] << 24);
  const x10 = buf[off + 40] | (buf[off + 41] << 8) | (buf[off + 42] << 16) | (buf[off + 43] << 24);
  const x11 = buf[off + 44] | (buf[off + 45] << 8) | (buf[off + 46] << 16) | (buf[off + 47] << 24);
  const x12 = buf[off + 48] | (buf[off + 49] << 8) | (buf[off + 50] << 16) | (buf[off + 51] << 24);
  const x13 = buf[off + 52] | (buf[off + 53] << 8) | (buf[off + 54] << 16) | (buf[off + 55] << 24);
  const x14 = buf[off + 56] | (buf[off + 57] << 8) | (buf[off + 58] << 16) | (buf[off + 59] << 24);
  const x15 = buf[off + 60] | (buf[off + 61] << 8) | (buf[off + 62] << 16) | (buf[off + 63] << 24);
  let a = h[0], b = h[1], c = h[2], d = h[3], t = 0;
  t = (a + ((b & c) | (~b & d)) + x0) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (~a & c)) + x1) | 0;
  d = (t << 7) | (t >>> 25);
  t = (c + ((d & a) | (~d & b)) + x2) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + ((c & d) | (~c & a)) + x3) | 0;
  b = (t << 19) | (t >>> 13);
  t = (a + ((b & c) | (~b & d)) + x4) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (~a & c)) + x5) | 0;
  d = (t << 7) | (t >>> 25);
  t = (c + ((d & a) | (~d & b)) + x6) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + ((c & d) | (~c & a)) + x7) | 0;
  b = (t << 19) | (t >>> 13);
  t = (a + ((b & c) | (~b & d)) + x8) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (~a & c)) + x9) | 0;
  d = (t << 7) | (t >>> 25);
  t = (c + ((d & a) | (~d & b)) + x10) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + ((c & d) | (~c & a)) + x11) | 0;
  b = (t << 19) | (t >>> 13);
  t = (a + ((b & c) | (~b & d)) + x12) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (~a & c)) + x13) | 0;
  d = (t << 7) | (t >>> 25);
  t = (c + ((d & a) | (~d & b)) + x14) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + ((c & d) | (~c & a)) + x15) | 0;
  b = (t << 19) | (t >>> 13);
  t = (a + ((b & c) | (b & d) | (c & d)) + x0 + 0x5a827999) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (a & c) | (b & c)) + x4 + 0x5a827999) | 0;
  d = (t << 5) | (t >>> 27);
  t = (c + ((d & a) | (d & b) | (a & b)) + x8 + 0x5a827999) | 0;
  c = (t << 9) | (t >>> 23);
  t = (b + ((c & d) | (c & a) | (d & a)) + x12 + 0x5a827999) | 0;
  b = (t << 13) | (t >>> 19);
  t = (a + ((b & c) | (b & d) | (c & d)) + x1 + 0x5a827999) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (a & c) | (b & c)) + x5 + 0x5a827999) | 0;
  d = (t << 5) | (t >>> 27);
  t = (c + ((d & a) | (d & b) | (a & b)) + x9 + 0x5a827999) | 0;
  c = (t << 9) | (t >>> 23);
  t = (b + ((c & d) | (c & a) | (d & a)) + x13 + 0x5a827999) | 0;
  b = (t << 13) | (t >>> 19);
  t = (a + ((b & c) | (b & d) | (c & d)) + x2 + 0x5a827999) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (a & c) | (b & c)) + x6 + 0x5a827999) | 0;
  d = (t << 5) | (t >>> 27);
  t = (c + ((d & a) | (d & b) | (a & b)) + x10 + 0x5a827999) | 0;
  c = (t << 9) | (t >>> 23);
  t = (b + ((c & d) | (c & a) | (d & a)) + x14 + 0x5a827999) | 0;
  b = (t << 13) | (t >>> 19);
  t = (a + ((b & c) | (b & d) | (c & d)) + x3 + 0x5a827999) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + ((a & b) | (a & c) | (b & c)) + x7 + 0x5a827999) | 0;
  d = (t << 5) | (t >>> 27);
  t = (c + ((d & a) | (d & b) | (a & b)) + x11 + 0x5a827999) | 0;
  c = (t << 9) | (t >>> 23);
  t = (b + ((c & d) | (c & a) | (d & a)) + x15 + 0x5a827999) | 0;
  b = (t << 13) | (t >>> 19);
  t = (a + (b ^ c ^ d) + x0 + 0x6ed9eba1) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + (a ^ b ^ c) + x8 + 0x6ed9eba1) | 0;
  d = (t << 9) | (t >>> 23);
  t = (c + (d ^ a ^ b) + x4 + 0x6ed9eba1) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + (c ^ d ^ a) + x12 + 0x6ed9eba1) | 0;
  b = (t << 15) | (t >>> 17);
  t = (a + (b ^ c ^ d) + x2 + 0x6ed9eba1) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + (a ^ b ^ c) + x10 + 0x6ed9eba1) | 0;
  d = (t << 9) | (t >>> 23);
  t = (c + (d ^ a ^ b) + x6 + 0x6ed9eba1) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + (c ^ d ^ a) + x14 + 0x6ed9eba1) | 0;
  b = (t << 15) | (t >>> 17);
  t = (a + (b ^ c ^ d) + x1 + 0x6ed9eba1) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + (a ^ b ^ c) + x9 + 0x6ed9eba1) | 0;
  d = (t << 9) | (t >>> 23);
  t = (c + (d ^ a ^ b) + x5 + 0x6ed9eba1) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + (c ^ d ^ a) + x13 + 0x6ed9eba1) | 0;
  b = (t << 15) | (t >>> 17);
  t = (a + (b ^ c ^ d) + x3 + 0x6ed9eba1) | 0;
  a = (t << 3) | (t >>> 29);
  t = (d + (a ^ b ^ c) + x11 + 0x6ed9eba1) | 0;
  d = (t << 9) | (t >>> 23);
  t = (c + (d ^ a ^ b) + x7 + 0x6ed9eba1) | 0;
  c = (t << 11) | (t >>> 21);
  t = (b + (c ^ d ^ a) + x15 + 0x6ed9eba1) | 0;
  b = (t << 15) | (t >>> 17);
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
}

const state = new Int32Array(4);

/** MD4 digest (16 bytes) of `data[offset..offset+length)`, written into `out` (a new buffer if omitted). */
export function md4(data: Uint8Array, offset = 0, length = data.length - offset, out: Uint8Array = new Uint8Array(16)): Uint8Array {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const end = offset + length;
  let p = offset;
  for (; p + 64 <= end; p += 64) compress(state, data, p);
  const rest = end - p;
  pad.fill(0);
  for (let i = 0; i < rest; i++) pad[i] = data[p + i];
  pad[rest] = 0x80;
  const tailLen = rest < 56 ? 64 : 128;
  const bitsLo = (length * 8) >>> 0;
  const bitsHi = Math.floor(length / 0x20000000) >>> 0;
  writeLe32(pad, tailLen - 8, bitsLo);
  writeLe32(pad, tailLen - 4, bitsHi);
  compress(state, pad, 0);
  if (tailLen === 128) compress(state, pad, 64);
  for (let i = 0; i < 4; i++) writeLe32(out, i * 4, state[i]);
  return out;
}

function writeLe32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}
