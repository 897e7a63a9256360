// SFTP pull benchmark: Strata's mirror engine reading the bench dataset over SFTP from a real sshd on
// 127.0.0.1 vs `rsync -a -e ssh` pulling the same tree (initial, then one session with 1% of files changed),
// printed as a table with the ratios issue 5 targets. Usage: `npx tsx bench/sftp.ts [--scale 0.1] [--seed 42]
// [--work DIR] [--keep]`. Strata runs in this process (its time has no process start-up; see bench/mirror.ts
// for that figure); rsync runs under GNU time with ssh on the same key, ciphers at their defaults. CPU rows:
// agent side = this process (Strata, worker threads included) or rsync + its ssh client (GNU time's user +
// system); host side = the sshd session processes and what they ran (sftp-server, rsync --server), reaped.
// The incremental session is also run by the engine on a local source (a copy of the repository before it),
// so what the SFTP source adds shows apart from the engine's own work.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestSshd } from "../agent/engines/archive/upload/test-sshd";
import { backupSession } from "../agent/engines/mirror";
import { openLocalSource } from "../agent/sources/local";
import { openHostSource } from "../agent/sources/open";
import { sshTestHost } from "../agent/sources/ssh/test-host";
import { generateDataset, manifest, mutateDataset } from "./dataset";
import { mb, measure, table } from "./measure";

const T0 = 1767225600;

function parseArgs(argv: string[]) {
  const o = { scale: 1, seed: 42, work: path.join(tmpdir(), "strata-bench-sftp"), keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--scale") o.scale = Number(v());
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--work") o.work = path.resolve(v());
    else if (a === "--keep") o.keep = true;
    else throw new Error(`Unknown option "${a}" (usage at the top of bench/sftp.ts)`);
  }
  if (!(o.scale > 0)) throw new Error(`Option "--scale" needs a positive number`);
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  rmSync(o.work, { recursive: true, force: true });
  mkdirSync(o.work, { recursive: true });
  const src = path.join(o.work, "src");
  const repo = path.join(o.work, "repo-strata");
  const copy = path.join(o.work, "copy-rsync");
  console.error(`Generating dataset (scale ${o.scale}, seed ${o.seed}) in ${src} ...`);
  const ds = generateDataset(src, o.scale, o.seed, T0 - 3600);
  console.error(`  ${ds.files.length} files, ${mb(ds.bytes).toFixed(0)} MiB`);

  const sshd = await startTestSshd();
  try {
    const { host, stateDir } = await sshTestHost(sshd, o.work);
    const ssh = `ssh -p ${sshd.port} -i ${sshd.userKeyPath} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR`;
    const listener = sshdListener(sshd.dir);
    const rsync = async (): Promise<Run> => {
      const host0 = hostCpu(listener);
      const r = await measure("rsync", ["-a", "--delete", "-e", ssh, `${sshd.user}@127.0.0.1:${src}/`, `${copy}/`]);
      return { seconds: r.seconds, agentCpu: r.cpuSeconds, hostCpu: (await sessionsReaped(listener), hostCpu(listener) - host0) };
    };
    const strata = async (time: number, local?: string): Promise<Run> => {
      const host0 = hostCpu(listener);
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const source = local ? await openLocalSource(src) : await openHostSource(host, src, { stateDir });
      try {
        await backupSession({ source, repo: local ?? repo, currentTime: time });
      } finally {
        await source.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      await sessionsReaped(listener);
      return { seconds, agentCpu: (cpu.user + cpu.system) / 1e6, hostCpu: hostCpu(listener) - host0 };
    };
    const show = (who: string, what: string, r: Run) =>
      console.error(`  ${who.padEnd(7)} ${what.padEnd(11)} ${r.seconds.toFixed(2)} s (CPU agent side ${r.agentCpu.toFixed(2)} s, host side ${r.hostCpu.toFixed(2)} s)`);

    const si = await strata(T0);
    show("strata", "initial", si);
    const ri = await rsync();
    show("rsync", "initial", ri);
    const c = mutateDataset(ds, 1, T0 + 86400 - 3600);
    console.error(`Session 1: ${c.changed} changed, ${c.added} added, ${c.deleted} deleted`);
    const repoLocal = path.join(o.work, "repo-local");
    execFileSync("cp", ["-a", repo, repoLocal]);
    const sn = await strata(T0 + 86400);
    show("strata", "incremental", sn);
    const rn = await rsync();
    show("rsync", "incremental", rn);
    const ln = await strata(T0 + 86400, repoLocal);
    show("local", "incremental", ln);

    const restored = path.join(o.work, "restore-strata");
    execFileSync("rdiff-backup", ["restore", "--at", "now", repo, restored], { stdio: "ignore" });
    const exact = sameTree(manifest(src), manifest(restored));
    const ok = (b: boolean) => (b ? "yes" : "NO");
    console.log(`\n## SFTP pull from 127.0.0.1: ${ds.files.length} files, ${mb(ds.bytes).toFixed(0)} MiB (scale ${o.scale})\n`);
    console.log(
      table(
        ["measure", "Strata over SFTP", "rsync -a -e ssh", "Strata/rsync", "target", "met"],
        [
          ["initial (s)", si.seconds, ri.seconds, si.seconds / ri.seconds, "≤ 2× rsync", ok(si.seconds <= 2 * ri.seconds)],
          ["  CPU agent side (s)", si.agentCpu, ri.agentCpu, si.agentCpu / ri.agentCpu, "", ""],
          ["  CPU host side (s)", si.hostCpu, ri.hostCpu, si.hostCpu / ri.hostCpu, "", ""],
          ["incremental, 1% changed (s)", sn.seconds, rn.seconds, sn.seconds / rn.seconds, "≤ 1.5× rsync", ok(sn.seconds <= 1.5 * rn.seconds)],
          ["  CPU agent side (s)", sn.agentCpu, rn.agentCpu, sn.agentCpu / rn.agentCpu, "", ""],
          ["  CPU host side (s)", sn.hostCpu, rn.hostCpu, sn.hostCpu / rn.hostCpu, "", ""],
          ["  same session, engine on a local source (s)", ln.seconds, rn.seconds, ln.seconds / rn.seconds, "", ""],
          ["latest restored by rdiff-backup = source", ok(exact), "", "", "byte-exact", ok(exact)],
        ],
      ),
    );
  } finally {
    await sshd.stop();
    if (!o.keep) rmSync(o.work, { recursive: true, force: true });
  }
}

interface Run {
  seconds: number;
  /** CPU seconds (user + system) on the pulling side and in the host's SSH sessions. */
  agentCpu: number;
  hostCpu: number;
}

const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** Pid of the test sshd's listener (its command line names its config file). */
function sshdListener(dir: string): number {
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes(path.join(dir, "sshd_config"))) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`Cannot find the test sshd of "${dir}"`);
}

/** CPU seconds of the listener's finished sessions (children reaped: cutime + cstime; the listener's own is tiny). */
function hostCpu(listener: number): number {
  const f = statFields(listener);
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

/** Waits until the listener has no session process left (their CPU is then in its cutime/cstime). */
async function sessionsReaped(listener: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const children = readdirSync("/proc").filter((p) => {
      try {
        return /^\d+$/.test(p) && Number(statFields(Number(p))[1]) === listener;
      } catch {
        return false;
      }
    });
    if (children.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
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
