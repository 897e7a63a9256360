// Test fixture for the data plane: a mirror repository written by the real rdiff-backup over three
// sessions, with a copy of the source as it was at each session (to compare served bytes and trees with).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { copyTree, rdiffBackup, requireRdiffBackup } from "@/agent/engines/mirror/read/test-rdiff";

export interface MirrorFixture {
  /** Directory holding the repository (the data plane's repository root). */
  root: string;
  /** The repository, inside `root`. */
  repo: string;
  /** Session times, oldest first. */
  sessions: number[];
  /** Copy of the source at each session. */
  snapshots: string[];
  cleanup(): void;
}

export const FIXTURE_T0 = 1_700_000_000;

function write(file: string, data: string | Buffer, mtime: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  utimesSync(file, mtime, mtime);
}

/** Builds the fixture: 3 sessions one day apart (changed, new, deleted files, a symlink, a 1 MiB file). */
export function makeMirrorFixture(): MirrorFixture {
  requireRdiffBackup();
  const base = mkdtempSync(path.join(os.tmpdir(), "strata-dataplane-"));
  const src = path.join(base, "src");
  const root = path.join(base, "repos");
  const repo = path.join(root, "web1");
  mkdirSync(root);
  const sessions = [FIXTURE_T0, FIXTURE_T0 + 86_400, FIXTURE_T0 + 2 * 86_400];
  const big = randomBytes(1 << 20);
  const snapshots: string[] = [];
  const steps: Array<(t: number) => void> = [
    (t) => {
      write(path.join(src, "docs/a.txt"), "first version of a\n", t - 10);
      write(path.join(src, "docs/big.bin"), big, t - 10);
      write(path.join(src, "docs/sub/c.txt"), "c stays\n", t - 10);
      write(path.join(src, "docs/naïve name & space.txt"), "odd name\n", t - 10);
      write(path.join(src, "top.txt"), "top level\n", t - 10);
      symlinkSync("docs/a.txt", path.join(src, "link-to-a"));
    },
    (t) => {
      write(path.join(src, "docs/a.txt"), "second version of a, longer than the first\n", t - 10);
      big.fill(7, 4096, 8192);
      write(path.join(src, "docs/big.bin"), big, t - 10);
      write(path.join(src, "docs/new.txt"), "new in session 2\n", t - 10);
      rmSync(path.join(src, "top.txt"));
    },
    (t) => {
      write(path.join(src, "docs/a.txt"), "third\n", t - 10);
      rmSync(path.join(src, "docs/new.txt"));
    },
  ];
  steps.forEach((step, i) => {
    step(sessions[i]);
    for (const d of ["docs/sub", "docs", ""]) utimesSync(path.join(src, d), sessions[i] - 5, sessions[i] - 5);
    const r = rdiffBackup(["--current-time", String(sessions[i]), "backup", src, repo]);
    if (r.status !== 0) throw new Error(`rdiff-backup failed: ${r.stderr}`);
    const snap = path.join(base, `snap${i}`);
    copyTree(src, snap);
    snapshots.push(snap);
  });
  return { root, repo, sessions, snapshots, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
