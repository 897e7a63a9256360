// SFTP pull benchmark: Strata's mirror engine reading the bench dataset over SFTP from a real sshd on
// 127.0.0.1 vs `rsync -a -e ssh` pulling the same tree (initial, then one session with 1% of files changed),
// printed as a table with the ratios issue 5 targets. Usage: `npx tsx bench/sftp.ts [--scale 0.1] [--seed 42]
// [--work DIR] [--keep]`. Strata runs in this process (its time has no process start-up; see bench/mirror.ts
// for that figure); rsync runs under GNU time with ssh on the same key, ciphers at their defaults.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestSshd } from "../agent/engines/archive/upload/test-sshd";
import { backupSession } from "../agent/engines/mirror";
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
    const rsync = () => measure("rsync", ["-a", "--delete", "-e", ssh, `${sshd.user}@127.0.0.1:${src}/`, `${copy}/`]);
    const strata = async (time: number) => {
      const started = performance.now();
      const source = await openHostSource(host, src, { stateDir });
      try {
        await backupSession({ source, repo, currentTime: time });
      } finally {
        await source.close();
      }
      return (performance.now() - started) / 1000;
    };

    const si = await strata(T0);
    console.error(`  strata  initial     ${si.toFixed(2)} s`);
    const ri = (await rsync()).seconds;
    console.error(`  rsync   initial     ${ri.toFixed(2)} s`);
    const c = mutateDataset(ds, 1, T0 + 86400 - 3600);
    console.error(`Session 1: ${c.changed} changed, ${c.added} added, ${c.deleted} deleted`);
    const sn = await strata(T0 + 86400);
    console.error(`  strata  incremental ${sn.toFixed(2)} s`);
    const rn = (await rsync()).seconds;
    console.error(`  rsync   incremental ${rn.toFixed(2)} s`);

    const restored = path.join(o.work, "restore-strata");
    execFileSync("rdiff-backup", ["restore", "--at", "now", repo, restored], { stdio: "ignore" });
    const exact = sameTree(manifest(src), manifest(restored));
    const ok = (b: boolean) => (b ? "yes" : "NO");
    console.log(`\n## SFTP pull from 127.0.0.1: ${ds.files.length} files, ${mb(ds.bytes).toFixed(0)} MiB (scale ${o.scale})\n`);
    console.log(
      table(
        ["measure", "Strata over SFTP", "rsync -a -e ssh", "Strata/rsync", "target", "met"],
        [
          ["initial (s)", si, ri, si / ri, "≤ 2× rsync", ok(si <= 2 * ri)],
          ["incremental, 1% changed (s)", sn, rn, sn / rn, "≤ 1.5× rsync", ok(sn <= 1.5 * rn)],
          ["latest restored by rdiff-backup = source", ok(exact), "", "", "byte-exact", ok(exact)],
        ],
      ),
    );
  } finally {
    await sshd.stop();
    if (!o.keep) rmSync(o.work, { recursive: true, force: true });
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
