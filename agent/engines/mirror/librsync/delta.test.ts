import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createDelta, writeReverseDelta } from "./delta";
import { applyDelta } from "./patch";
import { blockLengthFor, computeSignature, parseSignature, SignatureBuilder, type SignatureKind } from "./signature";
import { chunked, collect, decodeCommands, makeTempDir, prngBytes, rdiff } from "./testing";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const base = prngBytes(200_000, 11);
const text = Buffer.from(
  Array.from({ length: 3000 }, (_, i) => `line ${String(i).padStart(4, "0")}: the quick brown fox jumps\n`).join(""),
);

/** Named (basis, target) pairs covering the structural cases a mirror meets. */
const cases: Array<[string, Buffer, Buffer]> = [
  ["both empty", Buffer.alloc(0), Buffer.alloc(0)],
  ["empty basis", Buffer.alloc(0), prngBytes(5000, 2)],
  ["empty target", prngBytes(5000, 3), Buffer.alloc(0)],
  ["one byte each", Buffer.from("a"), Buffer.from("b")],
  ["one byte unchanged", Buffer.from("a"), Buffer.from("a")],
  ["identical", base, base],
  ["insertion in the middle", base, Buffer.concat([base.subarray(0, 70_000), Buffer.from("inserted!"), base.subarray(70_000)])],
  ["deletion", base, Buffer.concat([base.subarray(0, 50_000), base.subarray(61_234)])],
  ["content shifted by one byte", base, Buffer.concat([Buffer.from("x"), base])],
  ["blocks reordered and repeated", base, Buffer.concat([base.subarray(150_000), base.subarray(0, 100_000), base.subarray(0, 100_000)])],
  ["appended tail", base, Buffer.concat([base, prngBytes(777, 4)])],
  ["truncated", base, base.subarray(0, 123_457)],
  ["unrelated data", base, prngBytes(150_000, 99)],
  ["zeros (sparse-looking)", Buffer.alloc(300_000), Buffer.concat([Buffer.alloc(150_000), Buffer.from("z"), Buffer.alloc(150_000)])],
  ["text edited in a few lines", text, Buffer.from(text.toString().replace("line 0200", "LINE 0200").replace("line 2500", "L"))],
  ["short last block moved to the front", text.subarray(0, 10_300), Buffer.concat([text.subarray(10_240, 10_300), text.subarray(0, 10_240)])],
];

async function ourDelta(basis: Buffer, target: Buffer, kind: SignatureKind = "md4-rollsum", chunk = 8192): Promise<Buffer> {
  const sig = await computeSignature(chunked(basis, chunk), { fileLength: basis.length, kind });
  return collect(createDelta(sig, chunked(target, chunk)));
}

describe("createDelta", () => {
  it.each(cases)("%s: `rdiff patch` turns the basis into the target with our delta", async (name, basis, target) => {
    const f = (s: string) => tmp.file(`${name.replace(/\W+/g, "_")}.${s}`);
    writeFileSync(f("basis"), basis);
    writeFileSync(f("delta"), await ourDelta(basis, target));
    rdiff("patch", "-f", f("basis"), f("delta"), f("out"));
    expect(readFileSync(f("out")).equals(target)).toBe(true);
  });

  it.each(cases)("%s: our patcher reproduces the target from our delta, any chunking", async (_n, basis, target) => {
    for (const [kind, chunk] of [["md4-rollsum", 1 << 16], ["blake2-rabinkarp", 1000], ["md4-rollsum", 1]] as const) {
      if (chunk === 1 && target.length > 20_000) continue;
      const delta = await ourDelta(basis, target, kind, chunk);
      expect((await collect(applyDelta(basis, chunked(delta, 999)))).equals(target)).toBe(true);
    }
  });

  it.each([
    ["-H", "md4", "-R", "rollsum", "-S", "8"],
    ["-H", "blake2", "-R", "rabinkarp"],
  ])("produces the same bytes as `rdiff delta` from an rdiff signature (%s %s %s %s)", async (...args) => {
    writeFileSync(tmp.file("same.basis"), text);
    const target = Buffer.concat([text.subarray(0, 40_000), Buffer.from("changed"), text.subarray(40_100)]);
    writeFileSync(tmp.file("same.target"), target);
    rdiff("signature", "-f", ...args, tmp.file("same.basis"), tmp.file("same.sig"));
    rdiff("delta", "-f", tmp.file("same.sig"), tmp.file("same.target"), tmp.file("same.delta"));
    const sig = parseSignature(readFileSync(tmp.file("same.sig")));
    const ours = await collect(createDelta(sig, createReadStream(tmp.file("same.target"))));
    expect(ours.equals(readFileSync(tmp.file("same.delta")))).toBe(true);
  });

  it("round-trips 300 random edits with random block lengths, every weak/strong kind (seeded)", async () => {
    const kinds: SignatureKind[] = ["md4-rollsum", "blake2-rollsum", "md4-rabinkarp", "blake2-rabinkarp"];
    let seed = 12345;
    const rand = (k: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % k;
    };
    for (let iter = 0; iter < 300; iter++) {
      const basis = rand(4) === 0 ? Buffer.alloc(rand(3000)) : prngBytes(rand(6000), iter + 1);
      let target = Buffer.from(basis);
      for (let e = rand(4); e > 0; e--) {
        const at = rand(target.length + 1);
        const ins = rand(2) ? prngBytes(rand(200), iter * 7 + e) : basis.subarray(rand(basis.length + 1), rand(basis.length + 1));
        target = Buffer.concat([target.subarray(0, at), ins, target.subarray(Math.min(target.length, at + rand(300)))]);
      }
      const kind = kinds[iter % 4];
      const blockLength = 1 + rand(rand(2) ? 8 : 200);
      const sig = await computeSignature(chunked(basis, 1 + rand(5000)), { blockLength, kind });
      const delta = await collect(createDelta(sig, chunked(target, 1 + rand(5000))));
      const out = await collect(applyDelta(basis, chunked(delta, 1 + rand(100))));
      expect(out.equals(target), `iteration ${iter} (${kind}, block ${blockLength})`).toBe(true);
      if (iter % 25 === 0) {
        writeFileSync(tmp.file("fuzz.basis"), basis);
        writeFileSync(tmp.file("fuzz.delta"), delta);
        rdiff("patch", "-f", tmp.file("fuzz.basis"), tmp.file("fuzz.delta"), tmp.file("fuzz.out"));
        expect(readFileSync(tmp.file("fuzz.out")).equals(target)).toBe(true);
      }
    }
  });

  it("writes the same reverse delta as rdiff-backup 2.2's parameters give with rdiff", async () => {
    const newer = Buffer.concat([text.subarray(0, 90_000), Buffer.from("new paragraph\n"), text.subarray(90_500)]);
    const older = text;
    writeFileSync(tmp.file("rb.newer"), newer);
    writeFileSync(tmp.file("rb.older"), older);
    const bl = String(blockLengthFor(newer.length));
    rdiff("signature", "-f", "-H", "md4", "-R", "rollsum", "-b", bl, "-S", "8", tmp.file("rb.newer"), tmp.file("rb.sig"));
    rdiff("delta", "-f", tmp.file("rb.sig"), tmp.file("rb.older"), tmp.file("rb.delta"));
    const builder = new SignatureBuilder({ fileLength: newer.length });
    for await (const c of chunked(newer, 4096)) builder.update(c);
    const ours = await collect(createDelta(builder.digest(), chunked(older, 65536)));
    expect(ours.equals(readFileSync(tmp.file("rb.delta")))).toBe(true);
  });

  it("merges the copies of an unchanged file into one COPY", async () => {
    const delta = await ourDelta(base, base);
    expect(decodeCommands(delta)).toEqual(["COPY_N1_N4 0+200000", "END"]);
  });

  it("encodes an empty target as the 5-byte delta rdiff-backup writes", async () => {
    expect((await ourDelta(base, Buffer.alloc(0))).toString("hex")).toBe("7273023600");
  });

  it("splits fresh data into literal runs of 65 536 bytes like librsync", async () => {
    const delta = await ourDelta(Buffer.alloc(0), prngBytes(300_000, 8));
    expect(decodeCommands(delta)).toEqual([
      ...Array(4).fill("LITERAL_N4 65536"),
      "LITERAL_N2 37856",
      "END",
    ]);
  });

  it("keeps the delta of a 50 MB file changed in a few places small", async () => {
    const size = 50 * 1024 * 1024;
    const newer = prngBytes(size, 1234);
    const older = Buffer.from(newer);
    for (let i = 0; i < 5; i++) older.fill(0x41, i * 10_000_000 + 99, i * 10_000_000 + 2099);
    writeFileSync(tmp.file("big.newer"), newer);
    writeFileSync(tmp.file("big.older"), older);
    const sig = await computeSignature(createReadStream(tmp.file("big.newer")), { fileLength: size });
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (c, _e, cb) => { chunks.push(c); cb(); } });
    const started = performance.now();
    const written = await writeReverseDelta({ newerSignature: sig, olderStream: createReadStream(tmp.file("big.older")), out: sink });
    const ms = performance.now() - started;
    console.log(`reverse delta of a 50 MB file: ${written} bytes in ${ms.toFixed(0)} ms (${(50_000 / ms).toFixed(0)} MB/s)`);
    expect(written).toBeLessThan(100_000);
    writeFileSync(tmp.file("big.delta"), Buffer.concat(chunks));
    rdiff("patch", "-f", tmp.file("big.newer"), tmp.file("big.delta"), tmp.file("big.out"));
    expect(readFileSync(tmp.file("big.out")).equals(older)).toBe(true);
  });

  it("streams a large target in bounded memory", async () => {
    const sig = await computeSignature(chunked(base, 65536), { fileLength: base.length });
    async function* huge(): AsyncGenerator<Buffer> {
      const fresh = prngBytes(1 << 20, 5);
      for (let i = 0; i < 256; i++) yield i % 2 ? fresh : base;
    }
    const before = process.memoryUsage().rss;
    let bytes = 0;
    let peak = before;
    for await (const c of createDelta(sig, huge())) {
      bytes += c.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(bytes).toBeGreaterThan(128 << 20);
    expect(peak - before).toBeLessThan(96 << 20);
  });
});
