// Archive engine benchmark: Strata's tarball method (GNU tar + indexed parallel block compression) against
// plain GNU tar on the same tree (time, peak RSS), and one-member extraction through the index against
// `tar -xOf ARCHIVE MEMBER` (tar.gz and tar.zst). Strata runs as the compiled agent (built at the start into
// dist/, as `strata-agent` runs it). Run: `npx tsx bench/archive.ts` (BENCH_FILES, BENCH_MB, BENCH_DIR to
// resize; BENCH_TYPES=tar.zst for one type; BENCH_ZSTD_CLI=0 skips the row with the zstd processes).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { cpus, loadavg } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { extractMember } from "@/agent/engines/archive/extract";
import { readIndex } from "@/agent/engines/archive/index-format";
import { buildAgent } from "../scripts/build-agent";
import { makeTree } from "./archive-dataset";

const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const MB = Number(process.env.BENCH_MB ?? 1024);
const WORK = process.env.BENCH_DIR ?? path.join(os.tmpdir(), "strata-bench-archive");
const ROOT = path.resolve(import.meta.dirname, "..");

interface Run {
  seconds: number;
  /** User + system CPU seconds of the command and its children. */
  cpu: number;
  rssMb: number;
}

/** The compiled agent's entry (a private build, so other benches' builds are left alone). */
let agent = "";

/** Runs a command under GNU time; wall seconds, CPU seconds and peak RSS of the largest process. */
function timed(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = path.join(WORK, "time.out");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%U %S %M", "-o", out, ...argv], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`"${argv.join(" ")}" failed (exit ${code}): ${err}`));
      const [user, sys, kb] = readFileSync(out, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
      resolve({ seconds: (performance.now() - started) / 1000, cpu: user + sys, rssMb: kb / 1024 });
    });
  });
}

function strataJob(type: string, repo: string, src: string): string {
  const file = path.join(WORK, `job-${type}.json`);
  writeFileSync(file, JSON.stringify({ name: `bench-${type}`, repository: repo, prefix: "bench", methods: ["tarball"], purgeDuplicates: false, tarball: { targets: [src], fileType: type } }));
  return file;
}

async function creation(src: string, type: "tar.gz" | "tar.zst", env: Record<string, string> = {}) {
  const repo = path.join(WORK, `repo-${type}`);
  rmSync(repo, { recursive: true, force: true });
  const plain = path.join(WORK, `plain.${type}`);
  rmSync(plain, { force: true });
  const tarArgs = type === "tar.gz" ? ["-czf", plain] : ["--zstd", "-cf", plain];
  const gnu = await timed(["tar", ...tarArgs, src], { GZIP: "-n" });
  const strata = await timed([process.execPath, agent, "archive", "run", "--config", strataJob(type, repo, src), "--date", "20270301"], env);
  const name = `bench${src.replace(/\//g, "-")}.20270301.master.${type}`;
  const archive = path.join(repo, name);
  const check = type === "tar.gz" ? ["gzip", "-t", archive] : ["zstd", "-q", "-t", archive];
  const ok = spawnSync(check[0], check.slice(1)).status === 0 && spawnSync("tar", ["-tf", archive], { stdio: "ignore" }).status === 0;
  return { gnu, strata, archive, ok };
}

async function extraction(archive: string) {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const files = (await readIndex(archive))!.members.filter((m) => m.t === "0");
  // Cold: the first read of an archive (index sidecar parsed, then cached as in the agent's data plane).
  const t0 = performance.now();
  await extractMember(archive, files[Math.floor(files.length / 2)].n, sink());
  const coldMs = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const m = files[Math.floor((i * 7919) % files.length)];
    const t = performance.now();
    await extractMember(archive, m.n, sink());
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const last = files[files.length - 1];
  const gnu = await timed(["tar", "-xOf", archive, last.n]);
  return { coldMs, p50: times[24], p95: times[47], gnuMs: gnu.seconds * 1000 };
}

async function main() {
  mkdirSync(WORK, { recursive: true });
  const src = path.join(WORK, "tree");
  if (!existsSync(path.join(src, ".complete"))) {
    process.stdout.write(`Generating ${FILES} files, ~${MB} MB in ${src} ...\n`);
    makeTree(src, FILES, MB);
    writeFileSync(path.join(src, ".complete"), "");
  }
  const dist = path.join(ROOT, "dist", `bench-archive-agent-${process.pid}`);
  agent = await buildAgent(dist);
  const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
  const loadBefore = load();
  const rows: string[] = ["| measure | GNU tar | Strata | ratio | target |", "|---|---|---|---|---|"];
  const startup = await timed([process.execPath, agent, "version"]);
  rows.push(`| agent start-up (\`strata-agent version\`, compiled), s, included below | | ${startup.seconds.toFixed(2)} | | |`);
  const types = (process.env.BENCH_TYPES ?? "tar.gz,tar.zst").split(",") as ("tar.gz" | "tar.zst")[];
  const target = { "tar.gz": "≤ 0.6", "tar.zst": "≤ 1.0" };
  for (const type of types) {
    const c = await creation(src, type);
    const ratio = c.strata.seconds / c.gnu.seconds;
    rows.push(`| ${type} create, s | ${c.gnu.seconds.toFixed(2)} | ${c.strata.seconds.toFixed(2)} | ${ratio.toFixed(2)} | ${target[type]} |`);
    rows.push(`| ${type} create, CPU s (user + sys) | ${c.gnu.cpu.toFixed(2)} | ${c.strata.cpu.toFixed(2)} | ${(c.strata.cpu / c.gnu.cpu).toFixed(2)} | |`);
    rows.push(`| ${type} create, peak RSS MB | ${c.gnu.rssMb.toFixed(0)} | ${c.strata.rssMb.toFixed(0)} | | Strata ≤ 250 |`);
    rows.push(`| ${type} valid (tool -t, tar -t) | | ${c.ok ? "yes" : "NO"} | | yes |`);
    const e = await extraction(c.archive);
    rows.push(`| ${type} one member, ms (p50 / p95 over 50; first read) | ${e.gnuMs.toFixed(0)} (tar -xOf, last member) | ${e.p50.toFixed(1)} / ${e.p95.toFixed(1)}; ${e.coldMs.toFixed(0)} | | p95 ≤ 100 |`);
    if (type === "tar.zst" && process.env.BENCH_ZSTD_CLI !== "0") {
      // The fallback without the in-process library: persistent zstd processes fed through pipes.
      const p = await creation(src, type, { STRATA_ZSTD: "cli" });
      rows.push(`| tar.zst create with zstd processes (STRATA_ZSTD=cli), s; CPU s | ${p.gnu.seconds.toFixed(2)}; ${p.gnu.cpu.toFixed(2)} | ${p.strata.seconds.toFixed(2)}; ${p.strata.cpu.toFixed(2)} | ${(p.strata.seconds / p.gnu.seconds).toFixed(2)} | |`);
      rows.push(`| tar.zst valid with zstd processes | | ${p.ok ? "yes" : "NO"} | | yes |`);
    }
  }
  rmSync(dist, { recursive: true, force: true });
  process.stdout.write(rows.join("\n") + "\n");
  process.stdout.write(`\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}); load average (1, 5, 15 min) ${loadBefore} at the start, ${load()} at the end.\n`);
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench/archive: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
