import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { applyDelta, DeltaFormatError, patchToFile } from "./patch";
import { chunked, collect, makeTempDir, prngBytes, rdiff } from "./testing";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const basis = prngBytes(100_000, 21);
writeFileSync(tmp.file("basis"), basis);

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const delta = (...parts: Array<string | Buffer>) =>
  Buffer.concat([hex("72730236"), ...parts.map((p) => (typeof p === "string" ? hex(p) : p))]);

function uintBE(v: number, w: number): Buffer {
  const b = Buffer.alloc(w);
  if (w === 8) { b.writeUInt32BE(Math.floor(v / 2 ** 32)); b.writeUInt32BE(v >>> 0, 4); }
  else b.writeUIntBE(v, 0, w);
  return b;
}

describe("applyDelta", () => {
  it.each([
    ["rdiff signature -H md4 -R rollsum", ["-H", "md4", "-R", "rollsum"]],
    ["rdiff signature (defaults)", []],
    ["rdiff signature -b 16", ["-b", "16"]],
  ])("reproduces the target from an `rdiff delta` made with %s", async (_name, args) => {
    const targets = [
      Buffer.alloc(0),
      Buffer.from("x"),
      Buffer.concat([basis.subarray(500, 60_000), prngBytes(70_000, 3), basis.subarray(10)]),
    ];
    for (const [i, target] of targets.entries()) {
      writeFileSync(tmp.file(`t${i}`), target);
      rdiff("signature", "-f", ...args, tmp.file("basis"), tmp.file("sig"));
      rdiff("delta", "-f", tmp.file("sig"), tmp.file(`t${i}`), tmp.file(`d${i}`));
      const fromFile = await collect(applyDelta(tmp.file("basis"), createReadStream(tmp.file(`d${i}`))));
      expect(fromFile.equals(target)).toBe(true);
      const fromBuffer = await collect(applyDelta(basis, chunked(readFileSync(tmp.file(`d${i}`)), 1)));
      expect(fromBuffer.equals(target)).toBe(true);
    }
  });

  it("accepts every literal and copy opcode width, as rdiff does", async () => {
    const parts: Buffer[] = [];
    const expected: Buffer[] = [];
    const lit = prngBytes(300, 7);
    parts.push(hex("05"), lit.subarray(0, 5));
    expected.push(lit.subarray(0, 5));
    for (const [i, w] of [1, 2, 4, 8].entries()) {
      parts.push(Buffer.from([0x41 + i]), uintBE(70, w), lit.subarray(0, 70));
      expected.push(lit.subarray(0, 70));
    }
    for (const [i, wp] of [1, 2, 4, 8].entries()) {
      for (const [j, wl] of [1, 2, 4, 8].entries()) {
        const pos = wp === 1 ? 200 : 1000 * (i + 1) + j;
        const len = 17 + 4 * i + j;
        parts.push(Buffer.from([0x45 + 4 * i + j]), uintBE(pos, wp), uintBE(len, wl));
        expected.push(basis.subarray(pos, pos + len));
      }
    }
    const d = delta(...parts, "00");
    const want = Buffer.concat(expected);
    expect((await collect(applyDelta(tmp.file("basis"), chunked(d, 3)))).equals(want)).toBe(true);
    writeFileSync(tmp.file("widths.delta"), d);
    rdiff("patch", "-f", tmp.file("basis"), tmp.file("widths.delta"), tmp.file("widths.out"));
    expect(readFileSync(tmp.file("widths.out")).equals(want)).toBe(true);
  });

  it("repeats and reorders basis ranges in any order", async () => {
    const d = delta("4a ffff 0010", "45 00 10", "4a ffff 0010", "00");
    const out = await collect(applyDelta(basis, chunked(d, 64)));
    const a = basis.subarray(0xffff, 0xffff + 16);
    expect(out.equals(Buffer.concat([a, basis.subarray(0, 16), a]))).toBe(true);
  });

  it("produces large outputs in bounded memory", async () => {
    const copyAll = hex("4f 00000000 000186a0"); // COPY 0+100000 with 4-byte widths
    const d = delta(...Array(2000).fill(copyAll), "00");
    const before = process.memoryUsage().rss;
    let peak = before, total = 0;
    for await (const c of applyDelta(tmp.file("basis"), chunked(d, 4096))) {
      total += c.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(total).toBe(200_000_000);
    expect(peak - before).toBeLessThan(64 << 20);
  });

  it("takes the basis as a path string, a { path } with a byte path, or an open FileHandle", async () => {
    const d = delta("4a 1000 0100", "00");
    const want = basis.subarray(0x1000, 0x1100);
    expect((await collect(applyDelta({ path: Buffer.from(tmp.file("basis")) }, chunked(d, 5)))).equals(want)).toBe(true);
    const fh = await open(tmp.file("basis"), "r");
    try {
      expect((await collect(applyDelta(fh, chunked(d, 5)))).equals(want)).toBe(true);
      expect((await fh.stat()).size).toBe(basis.length); // still open: the caller owns it
    } finally {
      await fh.close();
    }
  });

  it("writes the patched file with patchToFile", async () => {
    const n = await patchToFile(tmp.file("basis"), chunked(delta("45 00 40", "03 616263", "00"), 2), tmp.file("p.out"));
    expect(n).toBe(67);
    expect(readFileSync(tmp.file("p.out")).equals(Buffer.concat([basis.subarray(0, 64), Buffer.from("abc")]))).toBe(true);
  });

  it.each([
    ["bad magic", hex("72730136 00"), /bad magic "0x72730136" \(expected "0x72730236"\)/],
    ["too short for the magic", hex("7273"), /2 bytes is too short for the magic/],
    ["reserved opcode", delta("03 616263 55 00"), /reserved opcode "0x55" at offset 8/],
    ["truncated literal", delta("0a 6162"), /truncated in LITERAL \(8 bytes missing\) of the command at offset 4/],
    ["truncated literal length", delta("42 00"), /truncated in LITERAL length/],
    ["truncated copy parameters", delta("4f 0000"), /truncated in COPY parameters of the command at offset 4/],
    ["missing END", delta("03 616263"), /truncated at offset 8 \(no END command\)/],
    ["copy past the basis end", delta("4e 00018000 ffff 00"), /COPY of 65535 bytes at position 98304 runs past the basis end \(100000 bytes\)/],
    ["data after END", delta("00 00"), /unexpected data after END at offset 5/],
  ])("rejects a corrupt delta (%s) with a message naming the problem", async (_name, d, message) => {
    for (const b of [basis, tmp.file("basis")]) {
      const run = collect(applyDelta(b, chunked(d, 2)));
      await expect(run).rejects.toThrow(DeltaFormatError);
      await expect(collect(applyDelta(b, chunked(d, 2)))).rejects.toThrow(message);
    }
  });
});
