// Mirror benchmark: Strata vs rdiff-backup vs `rsync -a` on one deterministic dataset in one run
// (initial backup, N incremental sessions with 1% of files changed, restore of the oldest session),
// printed as a table with the ratios issue 3 targets. Usage and options: bench/README.md.
import { execFileSync } from "node:child_process";
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateDataset, manifest, mutateDataset, treeBytes } from "./dataset";
import { runDeltaBench } from "./delta";
import { mb, measure, table, type Measurement } from "./measure";
import { buildAgent } from "../scripts/build-agent";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const T0 = 1767225600; // 2026-01-01T00:00:00Z, first session; session k at T0 + k days

interface Options {
  scale: number;
  seed: number;
  sessions: number;
  work: string;
  tools: string[];
  micro: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    scale: 1,
    seed: 42,
    sessions: 4,
    work: path.join(tmpdir(), "strata-bench-mirror"),
    tools: ["strata", "rdiff-backup", "rsync"],
    micro: true,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--scale") o.scale = Number(v());
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--sessions") o.sessions = Number(v());
    else if (a === "--work") o.work = path.resolve(v());
    else if (a === "--tools") o.tools = v().split(",");
    else if (a === "--no-micro") o.micro = false;
    else if (a === "--keep") o.keep = true;
    else throw new Error(`Unknown option "${a}" (see bench/README.md)`);
  }
  if (!(o.scale > 0)) throw new Error(`Option "--scale" needs a positive number`);
  return o;
}

type Step = "initial" | "incremental" | "restore";
type Tool = "strata" | "rdiff-backup" | "rsync";

/** The command line of each tool for each step. */
function commandFor(tool: Tool, step: Step, dirs: Record<string, string>, time: number, agent: string): [string, string[]] {
  const repo = dirs[tool];
  if (tool === "rsync") {
    return step === "restore" ? ["rsync", ["-a", `${repo}/`, `${dirs.restore}-rsync/`]] : ["rsync", ["-a", "--delete", `${dirs.src}/`, `${repo}/`]];
  }
  if (tool === "rdiff-backup") {
    return step === "restore"
      ? ["rdiff-backup", ["restore", "--at", String(T0), repo, `${dirs.restore}-rdiff-backup`]]
      : ["rdiff-backup", ["--current-time", String(time), "backup", dirs.src, repo]];
  }
  const strata = [agent];
  return step === "restore"
    ? [process.execPath, [...strata, "restore", repo, `${dirs.restore}-strata`, "--at", String(T0)]]
    : [process.execPath, [...strata, "backup", "--current-time", String(time), dirs.src, repo]];
}

/**
 * Reads every file under `dir` once so the measured step finds it in the page cache: on a shared machine the
 * cache does not keep a 1 GB tree between steps, and whichever tool ran first would read it from disk.
 */
function warm(dir: string): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const fd = openSync(p, "r");
        while (readSync(fd, buf, 0, buf.length, null) > 0);
        closeSync(fd);
      }
    }
  };
  walk(dir);
}

async function run(tool: Tool, step: Step, dirs: Record<string, string>, time: number, errors: Map<string, string>): Promise<Measurement | null> {
  const [cmd, args] = commandFor(tool, step, dirs, time, agentEntry);
  warm(step === "restore" ? dirs[tool] : dirs.src);
  // Writes of the dataset generator or of the previous step still in the page cache would be flushed during
  // this step: whichever tool runs next would pay for them.
  execFileSync("sync");
  try {
    const m = await measure(cmd, args, { cwd: ROOT });
    console.error(`  ${tool.padEnd(12)} ${step.padEnd(11)} ${m.seconds.toFixed(2)} s, ${m.peakRssMb.toFixed(0)} MB`);
    return m;
  } catch (err) {
    const msg = (err as Error).message;
    errors.set(`${tool} ${step}`, msg.split("\n").slice(0, 6).join("\n"));
    console.error(`  ${tool.padEnd(12)} ${step.padEnd(11)} FAILED`);
    return null;
  }
}

/** The compiled agent (dist/agent/main.mjs), built at the start of every run: what `strata-agent` runs. */
let agentEntry = "";

const sum = (ms: Array<Measurement | null>) => (ms.every(Boolean) && ms.length ? ms.reduce((s, m) => s + m!.seconds, 0) / ms.length : NaN);
const peak = (ms: Array<Measurement | null>) => Math.max(...ms.map((m) => m?.peakRssMb ?? NaN));

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const tools = o.tools as Tool[];
  const loadBefore = loadavg()[0];
  if (tools.includes("strata")) agentEntry = await buildAgent();
  rmSync(o.work, { recursive: true, force: true });
  mkdirSync(o.work, { recursive: true });
  const dirs: Record<string, string> = { src: path.join(o.work, "src"), restore: path.join(o.work, "restore") };
  for (const t of tools) dirs[t] = path.join(o.work, `repo-${t}`);

  console.error(`Generating dataset (scale ${o.scale}, seed ${o.seed}) in ${dirs.src} ...`);
  const ds = generateDataset(dirs.src, o.scale, o.seed, T0 - 3600);
  console.error(`  ${ds.files.length} files, ${mb(ds.bytes).toFixed(0)} MiB`);
  const oldest = manifest(dirs.src);

  const results: Record<Tool, Record<Step, Array<Measurement | null>>> = {} as never;
  for (const t of tools) results[t] = { initial: [], incremental: [], restore: [] };
  const errors = new Map<string, string>();
  for (const t of tools) results[t].initial.push(await run(t, "initial", dirs, T0, errors));
  for (let k = 1; k <= o.sessions; k++) {
    const c = mutateDataset(ds, k, T0 + k * 86400 - 3600);
    console.error(`Session ${k}: ${c.changed} changed, ${c.added} added, ${c.deleted} deleted`);
    for (const t of tools) results[t].incremental.push(await run(t, "incremental", dirs, T0 + k * 86400, errors));
  }
  const verified: Partial<Record<Tool, string>> = {};
  for (const t of tools) {
    results[t].restore.push(await run(t, "restore", dirs, 0, errors));
    if (t !== "rsync" && results[t].restore[0]) verified[t] = sameTree(oldest, manifest(`${dirs.restore}-${t}`)) ? "yes" : "NO";
  }

  const startup = tools.includes("strata") ? await measure(process.execPath, [agentEntry, "version"], { cwd: ROOT }) : null;
  printReport({ o, ds, dirs, results, verified, startup });
  console.log(`\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), 1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.`);
  if (errors.size) {
    console.log("\nFailures:");
    for (const [k, v] of errors) console.log(`- ${k}: ${v.replace(/\n/g, "\n  ")}`);
  }
  if (o.micro) console.log("\n" + (await runDeltaBench(path.join(o.work, "delta"), Math.max(8, Math.round(64 * Math.min(1, o.scale * 4))))));
  if (!o.keep) rmSync(o.work, { recursive: true, force: true });
}

interface Report {
  o: Options;
  ds: { files: string[]; bytes: number };
  dirs: Record<string, string>;
  results: Record<Tool, Record<Step, Array<Measurement | null>>>;
  verified: Partial<Record<Tool, string>>;
  startup: Measurement | null;
}

/** Prints the comparison table with the ratios and targets of issue 3. */
function printReport({ o, ds, dirs, results, verified, startup }: Report): void {
  const s = results.strata, r = results["rdiff-backup"], y = results.rsync;
  const val = (x: Record<Step, Array<Measurement | null>> | undefined, step: Step) => (x ? sum(x[step]) : NaN);
  const incBytes = (t: Tool) => treeBytes(path.join(dirs[t] ?? "", "rdiff-backup-data/increments"));
  const dataBytes = (t: Tool) => treeBytes(path.join(dirs[t] ?? "", "rdiff-backup-data"));
  const ratio = (a: number, b: number) => a / b;
  const ok = (c: boolean) => (c ? "yes" : "NO");
  const si = val(s, "initial"), ri = val(r, "initial"), yi = val(y, "initial");
  const sn = val(s, "incremental"), rn = val(r, "incremental"), yn = val(y, "incremental");
  const sr = val(s, "restore"), rr = val(r, "restore"), yr = val(y, "restore");
  const rssS = s ? peak([...s.initial, ...s.incremental, ...s.restore]) : NaN;
  const rssR = r ? peak([...r.initial, ...r.incremental, ...r.restore]) : NaN;
  const rssY = y ? peak([...y.initial, ...y.incremental, ...y.restore]) : NaN;
  console.log(`\n## Mirror benchmark: ${ds.files.length} files, ${mb(ds.bytes).toFixed(0)} MiB (scale ${o.scale}), ${o.sessions} incremental sessions\n`);
  console.log(
    table(
      ["measure", "Strata", "rdiff-backup", "rsync -a", "Strata/rdiff-backup", "Strata/rsync", "target", "met"],
      [
        ["initial backup (s)", si, ri, yi, ratio(si, ri), ratio(si, yi), "≤ 0.35× rdiff-backup, ≤ 1.5× rsync", ok(si <= 0.35 * ri && si <= 1.5 * yi)],
        [`incremental, mean of ${o.sessions} (s)`, sn, rn, yn, ratio(sn, rn), ratio(sn, yn), "≤ 0.25× rdiff-backup", ok(sn <= 0.25 * rn)],
        ["restore oldest (s)", sr, rr, yr, ratio(sr, rr), ratio(sr, yr), "≤ 0.5× rdiff-backup", ok(sr <= 0.5 * rr)],
        ["peak RSS (MB)", rssS, rssR, rssY, ratio(rssS, rssR), ratio(rssS, rssY), "≤ 250 MB", ok(rssS <= 250)],
        ["increments/ (MiB)", mb(incBytes("strata")), mb(incBytes("rdiff-backup")), "", ratio(incBytes("strata"), incBytes("rdiff-backup")), "", "≤ 1.2× rdiff-backup", ok(incBytes("strata") <= 1.2 * incBytes("rdiff-backup"))],
        ["rdiff-backup-data/ (MiB)", mb(dataBytes("strata")), mb(dataBytes("rdiff-backup")), "", ratio(dataBytes("strata"), dataBytes("rdiff-backup")), "", "", ""],
        ["restore = oldest tree", verified.strata ?? "n/a", verified["rdiff-backup"] ?? "n/a", "(latest only)", "", "", "byte-exact", ok(verified.strata === "yes")],
      ],
    ),
  );
  console.log("\nrsync -a keeps no history: its \"restore\" copies the latest tree back; it is the floor for copying speed.");
  if (startup) {
    console.log(`\nStrata process start-up alone (\`version\` verb of the compiled agent): ${startup.seconds.toFixed(2)} s, ${startup.peakRssMb.toFixed(0)} MB peak RSS; it is included in every Strata time above.`);
  }
}

function sameTree(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
