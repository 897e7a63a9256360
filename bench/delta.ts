// Micro-benchmark of Strata's librsync engine against the C `rdiff`: signature, delta (mostly matching and
// unrelated data) and patch throughput on one file. Standalone: `npx tsx bench/delta.ts [--size MB]`.
import { execFileSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { applyDelta, blockLengthFor, computeSignature, createDelta, serializeSignature } from "../agent/engines/mirror/librsync";
import { randomBytes } from "./dataset";
import { table } from "./measure";

const HWM = { highWaterMark: 1 << 20 };

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const rdiff = (...args: string[]) => timed(() => execFileSync("rdiff", ["-f", ...args]));

/** Runs the micro-benchmark in `dir` on `sizeMb` MiB files (after a small warm-up run); returns the table. */
export async function runDeltaBench(dir: string, sizeMb: number, warmUp = true): Promise<string> {
  if (warmUp) await runDeltaBench(path.join(dir, "warm-up"), 4, false);
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const size = sizeMb << 20;
  const newer = randomBytes(size, 7);
  const older = Buffer.from(newer);
  for (let i = 0; i < 8; i++) randomBytes(3000, 100 + i).copy(older, Math.floor((i * size) / 8) + 12345);
  writeFileSync(f("newer"), newer);
  writeFileSync(f("older"), older);
  writeFileSync(f("unrelated"), randomBytes(size, 99));
  const bl = blockLengthFor(size);

  const rows: Array<Array<string | number>> = [];
  const row = (name: string, ours: number, theirs: number, extra = "") =>
    rows.push([name, sizeMb / ours, sizeMb / theirs, ours, theirs, ours / theirs, extra]);

  let sig = await computeSignature(createReadStream(f("newer"), HWM), { fileLength: size });
  const oursSig = await timed(async () => {
    sig = await computeSignature(createReadStream(f("newer"), HWM), { fileLength: size });
  });
  writeFileSync(f("ours.sig"), serializeSignature(sig));
  const theirSig = await rdiff("signature", "-H", "md4", "-R", "rollsum", "-b", String(bl), "-S", "8", f("newer"), f("rdiff.sig"));
  row("signature (MD4 + rollsum)", oursSig, theirSig);

  for (const [name, target] of [["delta, 8 small edits", "older"], ["delta, unrelated data", "unrelated"]] as const) {
    const ours = await timed(() => pipeline(Readable.from(createDelta(sig, createReadStream(f(target), HWM))), createWriteStream(f(`ours.${target}.delta`))));
    const theirs = await rdiff("delta", f("rdiff.sig"), f(target), f(`rdiff.${target}.delta`));
    const sizes = `delta bytes: ${statSync(f(`ours.${target}.delta`)).size} vs ${statSync(f(`rdiff.${target}.delta`)).size}`;
    row(name, ours, theirs, sizes);
  }
  const oursPatch = await timed(() => pipeline(Readable.from(applyDelta(f("newer"), createReadStream(f("ours.older.delta"), HWM))), createWriteStream(f("ours.out"))));
  const theirPatch = await rdiff("patch", f("newer"), f("rdiff.older.delta"), f("rdiff.out"));
  row("patch (mostly COPY)", oursPatch, theirPatch);
  const oursLit = await timed(() => pipeline(Readable.from(applyDelta(f("newer"), createReadStream(f("ours.unrelated.delta"), HWM))), createWriteStream(f("ours.out2"))));
  const theirLit = await rdiff("patch", f("newer"), f("rdiff.unrelated.delta"), f("rdiff.out2"));
  row("patch (all LITERAL)", oursLit, theirLit);
  rmSync(dir, { recursive: true, force: true });
  return (
    `## Delta engine micro-benchmark: ${sizeMb} MiB file, block length ${bl}\n\n` +
    table(["operation", "Strata MB/s", "rdiff MB/s", "Strata s", "rdiff s", "Strata/rdiff time", "note"], rows)
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--size");
  const sizeMb = i > 0 ? Number(process.argv[i + 1]) : 64;
  runDeltaBench(path.join(tmpdir(), "strata-bench-delta"), sizeMb).then(console.log, (err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
