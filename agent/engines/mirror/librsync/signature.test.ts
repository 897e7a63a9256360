import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { blake2b } from "./blake2b";
import { md4 } from "./md4";
import {
  blockLengthFor,
  computeSignature,
  parseSignature,
  serializeSignature,
  SignatureBuilder,
  type SignatureKind,
} from "./signature";
import { chunked, makeTempDir, prngBytes, rdiff } from "./testing";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");

describe("strong hashes", () => {
  it.each([
    ["", "31d6cfe0d16ae931b73c59d7e0c089c0"],
    ["a", "bde52cb31de33e46245e05fbdbd6fb24"],
    ["abc", "a448017aaf21d8525fc10ae87aa6729d"],
    ["message digest", "d9130a8164549fe818874806e1c7014b"],
    ["abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"],
    ["1234567890".repeat(8), "e33b4ddc9c38f2199c3e7b164fcc0536"],
  ])("MD4 matches the RFC 1320 vector for %j", (input, digest) => {
    expect(hex(md4(Buffer.from(input)))).toBe(digest);
  });

  it("MD4 hashes a sub-range without touching the bytes around it", () => {
    const buf = Buffer.from("xxabcxx");
    expect(hex(md4(buf, 2, 3))).toBe("a448017aaf21d8525fc10ae87aa6729d");
  });

  it("BLAKE2b matches the RFC 7693 and reference vectors", () => {
    expect(hex(blake2b(Buffer.from("abc"), 0, 3, 64))).toBe(
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    );
    expect(hex(blake2b(Buffer.alloc(0), 0, 0, 32))).toBe("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  });

  it("BLAKE2b-512 agrees with node:crypto on inputs around the 128-byte block size", async () => {
    const { createHash } = await import("node:crypto");
    for (const len of [0, 1, 127, 128, 129, 255, 256, 257, 1000]) {
      const data = prngBytes(len, len + 3);
      expect(hex(blake2b(data, 0, len, 64))).toBe(createHash("blake2b512").update(data).digest("hex"));
    }
  });
});

describe("blockLengthFor", () => {
  it.each([
    [0, 64],
    [1, 64],
    [10239, 64],
    [12400, 96],
    [14800, 112],
    [300000, 576],
    [1 << 20, 1024],
    [10 * 1024 * 1024, 2560],
    [2 ** 40, 1 << 20],
  ])("gives rdiff-backup 2.2's block length for a %i-byte file", (len, expected) => {
    expect(blockLengthFor(len)).toBe(expected);
  });
});

describe("signature serialisation", () => {
  const sizes = [0, 1, 63, 64, 65, 4096, 12400, 300000];

  it.each(sizes)("equals `rdiff signature -H md4 -R rollsum -S 8` for a %i-byte file", async (size) => {
    const data = prngBytes(size, size + 1);
    const bl = blockLengthFor(size);
    writeFileSync(tmp.file(`in-${size}`), data);
    rdiff("signature", "-f", "-H", "md4", "-R", "rollsum", "-b", String(bl), "-S", "8", tmp.file(`in-${size}`), tmp.file(`sig-${size}`));
    const ours = serializeSignature(await computeSignature(chunked(data, 4096), { fileLength: size }));
    expect(hex(ours)).toBe(hex(readFileSync(tmp.file(`sig-${size}`))));
  });

  it.each([
    ["blake2-rollsum", "blake2", "rollsum", 32],
    ["md4-rabinkarp", "md4", "rabinkarp", 16],
    ["blake2-rabinkarp", "blake2", "rabinkarp", 32],
    ["md4-rollsum", "md4", "rollsum", 16],
  ] as const)("equals rdiff's %s signature with full-length strong sums", async (kind, hash, roll, strongLength) => {
    const data = prngBytes(50_000, 9);
    writeFileSync(tmp.file("in-kind"), data);
    const out = tmp.file(`sig-${kind}`);
    rdiff("signature", "-f", "-H", hash, "-R", roll, "-b", "700", "-S", String(strongLength), tmp.file("in-kind"), out);
    const sig = await computeSignature(chunked(data, 1000), { blockLength: 700, kind: kind as SignatureKind, strongLength });
    expect(serializeSignature(sig).equals(readFileSync(out))).toBe(true);
  });

  it("parses what rdiff writes and serialises it back unchanged", () => {
    const data = prngBytes(20_000, 5);
    writeFileSync(tmp.file("in-parse"), data);
    rdiff("signature", "-f", tmp.file("in-parse"), tmp.file("sig-parse"));
    const raw = readFileSync(tmp.file("sig-parse"));
    const sig = parseSignature(raw);
    expect(sig.kind).toBe("blake2-rabinkarp");
    expect(sig.blockCount).toBe(Math.ceil(20_000 / sig.blockLength));
    expect(serializeSignature(sig).equals(raw)).toBe(true);
  });

  it("builds the same signature whatever the chunk boundaries", async () => {
    const data = prngBytes(10_000, 77);
    const whole = serializeSignature(await computeSignature(chunked(data, data.length), { fileLength: data.length }));
    for (const size of [1, 7, 64, 65, 999]) {
      const builder = new SignatureBuilder({ fileLength: data.length });
      for await (const c of chunked(data, size)) builder.update(c);
      expect(serializeSignature(builder.digest()).equals(whole)).toBe(true);
    }
  });

  it("grows its tables when the file length was not given", async () => {
    const data = prngBytes(1_000_000, 4);
    const sig = await computeSignature(chunked(data, 65536), { blockLength: 512 });
    expect(sig.blockCount).toBe(Math.ceil(1_000_000 / 512));
    const known = await computeSignature(chunked(data, 65536), { blockLength: 512, fileLength: 1_000_000 });
    expect(serializeSignature(sig).equals(serializeSignature(known))).toBe(true);
  });

  it.each([
    [Buffer.from("7273", "hex"), /shorter than the 12-byte header/],
    [Buffer.from("727302360000004000000008", "hex"), /unknown magic "0x72730236"/],
    [Buffer.from("7273013600000040000000080102", "hex"), /not a multiple of 12/],
    [Buffer.from("727301360000004000000011", "hex"), /strong length "17" is out of range/],
    [Buffer.from("727301367fffffff00000008", "hex"), /block length "2147483647" is out of range/],
  ])("rejects an invalid signature (%#) naming the problem", (raw, message) => {
    expect(() => parseSignature(raw)).toThrow(message);
  });
});
