// Test helpers that drive the real rdiff-backup CLI (UTC, so its listings compare with ours) and copy trees.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, lstatSync } from "node:fs";
import path from "node:path";

/** Runs rdiff-backup with TZ=UTC; returns stdout, stderr and the exit status (never throws on status). */
export function rdiffBackup(args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync("rdiff-backup", args, { env: { ...process.env, TZ: "UTC" }, encoding: "utf8" });
  if (r.error) throw new Error(`Cannot run rdiff-backup (is it installed?): ${r.error.message}`, { cause: r.error });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** Fails clearly when the real rdiff-backup is missing. */
export function requireRdiffBackup(): void {
  const r = rdiffBackup(["--version"]);
  if (r.status !== 0) throw new Error(`rdiff-backup is required for these tests: ${r.stderr}`);
}

/** `cp -a` a tree. */
export function copyTree(from: string, to: string): void {
  execFileSync("cp", ["-a", from, to]);
}

/** Relative paths of every file and dir under `dir` (sorted), skipping log files that differ by nature. */
export function listAll(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const n of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    if (/^(backup|restore|remove|regress)\.log$/.test(n)) continue;
    out.push(r);
    if (lstatSync(path.join(dir, r)).isDirectory()) out.push(...listAll(dir, r));
  }
  return out;
}

/** Sets TZ for this process and returns a function restoring it. */
export function useTz(tz: string): () => void {
  const before = process.env.TZ;
  process.env.TZ = tz;
  return () => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  };
}
