// Test helpers for the write path: tree manifests (content, mode, mtime, link targets, hard-link groups),
// the real rdiff-backup CLI, and the strata-agent CLI as a child process.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../../..");

/** One path of a tree, as a restore must reproduce it. */
export interface ManifestEntry {
  type: "file" | "dir" | "symlink" | "fifo" | "other";
  mode: number;
  uid: number;
  gid: number;
  mtime?: number;
  sha1?: string;
  target?: string;
  /** Index of the path's hard-link group (files with nlink > 1). */
  group?: string;
}

/** Path (hex of the raw bytes) → entry; hex keeps non-UTF-8 names exact. */
export type Manifest = Map<string, ManifestEntry>;

/** Reads a tree into a manifest; `skip` names a top-level entry to leave out (rdiff-backup-data). */
export async function manifestOf(root: string, skip = "rdiff-backup-data"): Promise<Manifest> {
  const out: Manifest = new Map();
  const inodes = new Map<number, string>();
  const walk = async (abs: Buffer, rel: Buffer): Promise<void> => {
    const st = await fsp.lstat(abs);
    const e: ManifestEntry = { type: "other", mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isFile()) {
      e.type = "file";
      e.mtime = Math.floor(st.mtimeMs / 1000);
      e.sha1 = createHash("sha1").update(await fsp.readFile(abs)).digest("hex");
      if (st.nlink > 1) {
        if (!inodes.has(st.ino)) inodes.set(st.ino, rel.toString("hex"));
        e.group = inodes.get(st.ino);
      }
    } else if (st.isSymbolicLink()) {
      e.type = "symlink";
      e.mode = 0;
      e.target = ((await fsp.readlink(abs, { encoding: "buffer" })) as Buffer).toString("hex");
    } else if (st.isFIFO()) {
      e.type = "fifo";
      e.mtime = Math.floor(st.mtimeMs / 1000);
    } else if (st.isDirectory()) {
      e.type = "dir";
      e.mtime = Math.floor(st.mtimeMs / 1000);
    }
    out.set(rel.toString("hex"), e);
    if (!st.isDirectory()) return;
    const names = ((await fsp.readdir(abs, { encoding: "buffer" })) as Buffer[]).sort(Buffer.compare);
    for (const n of names) {
      if (rel.length === 0 && n.toString() === skip) continue;
      const childRel = rel.length ? Buffer.concat([rel, Buffer.from("/"), n]) : n;
      await walk(Buffer.concat([abs, Buffer.from("/"), n]), childRel);
    }
  };
  await walk(Buffer.from(root), Buffer.alloc(0));
  return out;
}

/** Human-readable differences between two manifests (empty = equal). */
export function manifestDiff(expected: Manifest, actual: Manifest): string[] {
  const show = (hex: string) => JSON.stringify(Buffer.from(hex, "hex").toString("latin1") || ".");
  const diffs: string[] = [];
  for (const [k, e] of expected) {
    const a = actual.get(k);
    if (!a) diffs.push(`missing ${show(k)}`);
    else if (JSON.stringify(e) !== JSON.stringify(a)) diffs.push(`differs ${show(k)}: expected ${JSON.stringify(e)} got ${JSON.stringify(a)}`);
  }
  for (const k of actual.keys()) if (!expected.has(k)) diffs.push(`unexpected ${show(k)}`);
  return diffs;
}

/** Runs the real rdiff-backup; fails clearly when it is not installed. */
export async function rdiffBackup(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec("rdiff-backup", args, { maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { code: unknown; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") throw new Error("rdiff-backup is not installed: the compatibility tests need the real rdiff-backup 2.2 (Debian package)");
    return { code: Number(e.code), stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Restores `repo` at `time` with the real rdiff-backup into `out` and returns the restored manifest. */
export async function restoreWithRdiff(repo: string, time: number, out: string): Promise<Manifest> {
  await fsp.rm(out, { recursive: true, force: true });
  const r = await rdiffBackup(["--force", "restore", "--at", String(time), repo, out]);
  if (r.code !== 0) throw new Error(`rdiff-backup restore --at ${time} failed (${r.code}): ${r.stderr}`);
  return manifestOf(out);
}

/**
 * Runs `strata-agent <args>` as a child process with extra environment; `full` goes through agent/main.ts,
 * otherwise a lighter entry that loads only the backup and regress verbs (same code, faster start).
 */
export function runAgent(
  args: string[],
  env: Record<string, string> = {},
  full = false,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const entry = full ? "agent/main.ts" : "agent/engines/mirror/backup/testing-entry.ts";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, entry), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
