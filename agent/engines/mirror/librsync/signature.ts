// librsync block signatures: rdiff-backup's block-length rule, an incremental builder (feed chunks while
// copying a file), and the on-wire signature format of spec §5.2 (magics 0x72730136/37/46/47).
import { blake2b } from "./blake2b";
import { md4 } from "./md4";
import { rabinkarp, rollsum, type WeakKind } from "./weaksum";

export type SignatureKind = "md4-rollsum" | "blake2-rollsum" | "md4-rabinkarp" | "blake2-rabinkarp";
export type StrongKind = "md4" | "blake2";

export const SIGNATURE_MAGIC: Record<SignatureKind, number> = {
  "md4-rollsum": 0x72730136,
  "blake2-rollsum": 0x72730137,
  "md4-rabinkarp": 0x72730146,
  "blake2-rabinkarp": 0x72730147,
};

/** The block sums of one basis file: block i covers basis bytes [i·blockLength, (i+1)·blockLength). */
export interface Signature {
  kind: SignatureKind;
  blockLength: number;
  /** Bytes kept of each strong sum (a prefix of the full digest). */
  strongLength: number;
  blockCount: number;
  /** Weak sum per block. */
  weak: Uint32Array;
  /** Strong sums, `strongLength` bytes per block, concatenated. */
  strong: Uint8Array;
}

export interface SignatureOptions {
  /** Length of the basis when known: picks rdiff-backup's block length and sizes the tables. */
  fileLength?: number;
  /** Overrides the block length (otherwise from fileLength, else 2048). */
  blockLength?: number;
  /** Default "md4-rollsum", what rdiff-backup 2.2 uses. */
  kind?: SignatureKind;
  /** Default 8 (rdiff-backup 2.2); at most 16 for MD4, 32 for BLAKE2. */
  strongLength?: number;
}

const DEFAULT_BLOCK_LENGTH = 2048;
/** Upper bound accepted for block lengths (rdiff-backup's rule gives 1 MiB for a 1 TiB file). */
export const MAX_BLOCK_LENGTH = 1 << 26;

/** rdiff-backup 2.2's block length: 64 below 10 240 bytes, else ≈ √len rounded down to a multiple of 16. */
export function blockLengthFor(fileLen: number): number {
  if (fileLen < 10240) return 64;
  const bitlen = Math.floor(fileLen).toString(2).length;
  return Math.floor(fileLen / 2 ** (Math.floor(bitlen / 2) + 4)) * 16;
}

export function weakKindOf(kind: SignatureKind): WeakKind {
  return kind.endsWith("rollsum") ? "rollsum" : "rabinkarp";
}

export function strongKindOf(kind: SignatureKind): StrongKind {
  return kind.startsWith("md4") ? "md4" : "blake2";
}

const md4Out = new Uint8Array(16);

/** Full strong digest of `buf[start..start+len)`; for MD4 the result is a shared scratch buffer. */
export function strongSum(kind: StrongKind, buf: Uint8Array, start: number, len: number): Uint8Array {
  return kind === "md4" ? md4(buf, start, len, md4Out) : blake2b(buf, start, len, 32);
}

/** Computes a signature incrementally: `update()` with consecutive chunks of the basis, then `digest()`. */
export class SignatureBuilder {
  readonly kind: SignatureKind;
  readonly blockLength: number;
  readonly strongLength: number;
  private readonly weakKind: WeakKind;
  private readonly strongKind: StrongKind;
  private weak: Uint32Array;
  private strong: Uint8Array;
  private count = 0;
  private readonly pending: Uint8Array;
  private pendingLen = 0;
  private done = false;

  constructor(opts: SignatureOptions = {}) {
    this.kind = opts.kind ?? "md4-rollsum";
    this.weakKind = weakKindOf(this.kind);
    this.strongKind = strongKindOf(this.kind);
    const maxStrong = this.strongKind === "md4" ? 16 : 32;
    this.strongLength = opts.strongLength ?? 8;
    if (this.strongLength < 1 || this.strongLength > maxStrong) {
      throw new RangeError(`Signature strong length "${this.strongLength}" is out of range 1..${maxStrong}`);
    }
    this.blockLength =
      opts.blockLength ?? (opts.fileLength !== undefined ? blockLengthFor(opts.fileLength) : DEFAULT_BLOCK_LENGTH);
    if (!Number.isInteger(this.blockLength) || this.blockLength < 1 || this.blockLength > MAX_BLOCK_LENGTH) {
      throw new RangeError(`Signature block length "${this.blockLength}" must be an integer in 1..${MAX_BLOCK_LENGTH}`);
    }
    const expected = opts.fileLength !== undefined ? Math.ceil(opts.fileLength / this.blockLength) : 64;
    this.weak = new Uint32Array(Math.max(expected, 1));
    this.strong = new Uint8Array(Math.max(expected, 1) * this.strongLength);
    this.pending = new Uint8Array(this.blockLength);
  }

  /** Adds the next bytes of the basis. */
  update(chunk: Uint8Array): void {
    if (this.done) throw new Error("Signature builder was already digested");
    const bl = this.blockLength;
    let p = 0;
    if (this.pendingLen > 0) {
      const take = Math.min(bl - this.pendingLen, chunk.length);
      this.pending.set(chunk.subarray(0, take), this.pendingLen);
      this.pendingLen += take;
      p = take;
      if (this.pendingLen < bl) return;
      this.addBlock(this.pending, 0, bl);
      this.pendingLen = 0;
    }
    for (; p + bl <= chunk.length; p += bl) this.addBlock(chunk, p, bl);
    if (p < chunk.length) {
      this.pending.set(chunk.subarray(p), 0);
      this.pendingLen = chunk.length - p;
    }
  }

  /** Finishes (hashing the short last block) and returns the signature. */
  digest(): Signature {
    if (!this.done) {
      if (this.pendingLen > 0) this.addBlock(this.pending, 0, this.pendingLen);
      this.done = true;
    }
    return {
      kind: this.kind,
      blockLength: this.blockLength,
      strongLength: this.strongLength,
      blockCount: this.count,
      weak: this.weak.subarray(0, this.count),
      strong: this.strong.subarray(0, this.count * this.strongLength),
    };
  }

  private addBlock(buf: Uint8Array, start: number, len: number): void {
    if (this.count === this.weak.length) this.grow();
    const end = start + len;
    this.weak[this.count] = this.weakKind === "rollsum" ? rollsum(buf, start, end) : rabinkarp(buf, start, end);
    const digest = strongSum(this.strongKind, buf, start, len);
    const sl = this.strongLength;
    const base = this.count * sl;
    for (let i = 0; i < sl; i++) this.strong[base + i] = digest[i];
    this.count++;
  }

  private grow(): void {
    const weak = new Uint32Array(this.weak.length * 2);
    weak.set(this.weak);
    const strong = new Uint8Array(weak.length * this.strongLength);
    strong.set(this.strong);
    this.weak = weak;
    this.strong = strong;
  }
}

/** Signature of a whole basis stream (the NEWER file, when computing a reverse increment). */
export async function computeSignature(
  input: AsyncIterable<Uint8Array>,
  opts: SignatureOptions = {},
): Promise<Signature> {
  const builder = new SignatureBuilder(opts);
  for await (const chunk of input) builder.update(chunk);
  return builder.digest();
}

/** Encodes a signature in librsync's file format (what `rdiff signature` writes). */
export function serializeSignature(sig: Signature): Buffer {
  const sl = sig.strongLength;
  const out = Buffer.allocUnsafe(12 + sig.blockCount * (4 + sl));
  out.writeUInt32BE(SIGNATURE_MAGIC[sig.kind], 0);
  out.writeUInt32BE(sig.blockLength, 4);
  out.writeUInt32BE(sl, 8);
  let p = 12;
  for (let i = 0; i < sig.blockCount; i++) {
    out.writeUInt32BE(sig.weak[i], p);
    out.set(sig.strong.subarray(i * sl, (i + 1) * sl), p + 4);
    p += 4 + sl;
  }
  return out;
}

/** Decodes a librsync signature file; throws naming what is wrong when it is not one. */
export function parseSignature(data: Uint8Array): Signature {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 12) throw new Error(`Invalid signature: ${buf.length} bytes is shorter than the 12-byte header`);
  const magic = buf.readUInt32BE(0);
  const kind = (Object.keys(SIGNATURE_MAGIC) as SignatureKind[]).find((k) => SIGNATURE_MAGIC[k] === magic);
  if (!kind) throw new Error(`Invalid signature: unknown magic "0x${magic.toString(16).padStart(8, "0")}"`);
  const blockLength = buf.readUInt32BE(4);
  const strongLength = buf.readUInt32BE(8);
  const maxStrong = strongKindOf(kind) === "md4" ? 16 : 32;
  if (blockLength < 1 || blockLength > MAX_BLOCK_LENGTH) {
    throw new Error(`Invalid signature: block length "${blockLength}" is out of range 1..${MAX_BLOCK_LENGTH}`);
  }
  if (strongLength < 1 || strongLength > maxStrong) {
    throw new Error(`Invalid signature: strong length "${strongLength}" is out of range 1..${maxStrong}`);
  }
  const entry = 4 + strongLength;
  if ((buf.length - 12) % entry !== 0) {
    throw new Error(`Invalid signature: ${buf.length - 12} bytes of block sums is not a multiple of ${entry}`);
  }
  const blockCount = (buf.length - 12) / entry;
  const weak = new Uint32Array(blockCount);
  const strong = new Uint8Array(blockCount * strongLength);
  for (let i = 0, p = 12; i < blockCount; i++, p += entry) {
    weak[i] = buf.readUInt32BE(p);
    strong.set(buf.subarray(p + 4, p + entry), i * strongLength);
  }
  return { kind, blockLength, strongLength, blockCount, weak, strong };
}
