// MD4 (RFC 1320) in TypeScript: librsync's classic strong sum, which Node's OpenSSL 3 no longer offers.
// One-shot over a byte range, no allocation per call: signatures hash millions of small blocks.

const pad = new Uint8Array(128);
const x = new Int32Array(16);

function rotl(v: number, s: number): number {
  return (v << s) | (v >>> (32 - s));
}

/** Runs the 48 MD4 steps over the 64 bytes at `buf[off..off+64)`, updating `h` in place. */
function compress(h: Int32Array, buf: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) {
    x[i] = buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24);
  }
  let a = h[0], b = h[1], c = h[2], d = h[3];
  // Round 1: F(b,c,d) = (b & c) | (~b & d)
  for (let i = 0; i < 16; i += 4) {
    a = rotl((a + ((b & c) | (~b & d)) + x[i]) | 0, 3);
    d = rotl((d + ((a & b) | (~a & c)) + x[i + 1]) | 0, 7);
    c = rotl((c + ((d & a) | (~d & b)) + x[i + 2]) | 0, 11);
    b = rotl((b + ((c & d) | (~c & a)) + x[i + 3]) | 0, 19);
  }
  // Round 2: G(b,c,d) = majority, constant 0x5a827999
  for (let i = 0; i < 4; i++) {
    a = rotl((a + ((b & c) | (b & d) | (c & d)) + x[i] + 0x5a827999) | 0, 3);
    d = rotl((d + ((a & b) | (a & c) | (b & c)) + x[i + 4] + 0x5a827999) | 0, 5);
    c = rotl((c + ((d & a) | (d & b) | (a & b)) + x[i + 8] + 0x5a827999) | 0, 9);
    b = rotl((b + ((c & d) | (c & a) | (d & a)) + x[i + 12] + 0x5a827999) | 0, 13);
  }
  // Round 3: H(b,c,d) = b ^ c ^ d, constant 0x6ed9eba1, word order 0 8 4 12 2 10 6 14 ...
  const order = R3;
  for (let i = 0; i < 16; i += 4) {
    a = rotl((a + (b ^ c ^ d) + x[order[i]] + 0x6ed9eba1) | 0, 3);
    d = rotl((d + (a ^ b ^ c) + x[order[i + 1]] + 0x6ed9eba1) | 0, 9);
    c = rotl((c + (d ^ a ^ b) + x[order[i + 2]] + 0x6ed9eba1) | 0, 11);
    b = rotl((b + (c ^ d ^ a) + x[order[i + 3]] + 0x6ed9eba1) | 0, 15);
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
}

const R3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
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
  pad.set(data.subarray(p, end), 0);
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
