// `remove increments --older-than T` (§3.3): deletes every timestamped file older than the newest
// root increment before T (never the mirror or current_mirror), then empty directories.
import { lstat, readdir, rm, rmdir } from "node:fs/promises";
import { AgentError } from "@/agent/errors";
import { DATA_DIR, DATA_PREFIX, parseIncName } from "../format/names";
import { bpath, showPath } from "../format/fs-path";
import type { Quoting } from "../format/quoting";
import { asctime } from "../format/statistics";
import type { MirrorRepo } from "./repository";

/** What a removal did (or, with dryRun, would do). */
export interface RemovePlan {
  /** Session times that go, ascending. */
  times: number[];
  /** Everything below this time is deleted (max(times) + 1), or null when nothing goes. */
  cutoff: number | null;
  /** Paths (relative to the repository) deleted or to delete, children before parents. */
  paths: string[];
}

/** Root-increment times strictly older than `olderThan` (§3.3 step 2). */
export function removalCandidates(repo: MirrorRepo, olderThan: number): number[] {
  const times = repo.state.files
    .filter((f) => f.prefix === DATA_PREFIX.increments && f.time < olderThan && f.time < repo.mirrorTime)
    .map((f) => f.time);
  return [...new Set(times)].sort((a, b) => a - b);
}

async function* doomed(dir: Buffer, rel: string, cutoff: number, q: Quoting, emptied: Set<string>): AsyncGenerator<{ abs: Buffer; rel: string; dir: boolean }> {
  const names = await readdir(dir, { encoding: "buffer" }).catch(() => [] as Buffer[]);
  let left = names.length;
  for (const n of names) {
    const abs = bpath(dir, n);
    const r = `${rel}/${showPath(n)}`;
    const s = await lstat(abs).catch(() => null);
    if (!s) continue;
    if (s.isDirectory()) {
      yield* doomed(abs, r, cutoff, q, emptied);
      if (emptied.has(r)) left--;
      continue;
    }
    const inc = parseIncName(q.unquote(n));
    if (inc && inc.time < cutoff && inc.base.toString("latin1") !== DATA_PREFIX.currentMirror) {
      left--;
      yield { abs, rel: r, dir: false };
    }
  }
  if (left === 0 && rel !== DATA_DIR) {
    emptied.add(rel);
    yield { abs: dir, rel, dir: true };
  }
}

/**
 * Removes increments older than `olderThan`. More than one session going needs `force`
 * (rdiff-backup's rule); `dryRun` only reports. Resolves to the plan (empty when nothing is old enough).
 */
export async function removeIncrementsOlderThan(
  repo: MirrorRepo,
  olderThan: number,
  opts: { force?: boolean; dryRun?: boolean } = {},
): Promise<RemovePlan> {
  const times = removalCandidates(repo, olderThan);
  if (!times.length) return { times, cutoff: null, paths: [] };
  if (times.length > 1 && !opts.force && !opts.dryRun) {
    throw new AgentError(
      "usage",
      `Cannot remove increments from "${repo.root}": ${times.length} sessions would go (${times.map(asctime).join(", ")}); use --force to remove more than one`,
    );
  }
  const cutoff = times[times.length - 1] + 1;
  const plan: RemovePlan = { times, cutoff, paths: [] };
  const emptied = new Set<string>();
  for await (const d of doomed(bpath(repo.root, DATA_DIR), DATA_DIR, cutoff, repo.state.quoting, emptied)) {
    plan.paths.push(d.rel);
    if (opts.dryRun) continue;
    if (d.dir) await rmdir(d.abs);
    else await rm(d.abs, { force: true });
  }
  return plan;
}
