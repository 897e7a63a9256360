// Local TTL purge of an archive repository (backup-manager §4.1, with whole chains: a master and its
// incrementals go together, never an incremental without its master) and duplicate purge (§4.3, with
// hard links and never across master/incremental). planPurge is pure; purgeRepository applies it.
import { lstat, readdir, rename, rm, link } from "node:fs/promises";
import path from "node:path";
import { hashFile, pruneSha256Manifest } from "./hashes";
import { formatDay, parseArchiveName, parseDay, type ParsedName } from "./naming";
import { INDEX_SUFFIX } from "./index-format";
import { PART_SUFFIX } from "./atomic-file";

/** What purge needs to know: TTL in days, our prefix, STRICTPURGE, and the run's day (YYYYMMDD). */
export interface PurgePolicy {
  ttlDays: number;
  prefix: string;
  /** Only purge chains carrying our prefix (a foreign lone master is purged anyway, as backup-manager does). */
  strict: boolean;
  today: string;
}

/** One decision of planPurge. */
export interface PurgeVerdict {
  name: string;
  remove: boolean;
  reason: string;
}

/** `today − ttl days` as YYYYMMDD (calendar arithmetic; backup-manager subtracts TTL·86400 s). */
export function purgeDay(today: string, ttlDays: number): string {
  const d = parseDay(today);
  return formatDay(new Date(d.getFullYear(), d.getMonth(), d.getDate() - ttlDays));
}

interface Entry extends ParsedName {
  file: string;
}

/** Names purge looks at: dated names that are not sidecars or in-progress outputs. */
function candidates(names: string[], prefix: string): Entry[] {
  const out: Entry[] = [];
  for (const file of names) {
    if (file.endsWith(INDEX_SUFFIX) || file.endsWith(PART_SUFFIX)) continue;
    const p = parseArchiveName(file, prefix);
    if (p) out.push({ ...p, file });
  }
  return out;
}

function chainsOf(entries: Entry[]): Entry[][] {
  const sorted = [...entries].sort((a, b) => a.day.localeCompare(b.day) || Number(b.master) - Number(a.master));
  const chains: Entry[][] = [];
  let current: Entry[] | undefined;
  for (const e of sorted) {
    if (e.master) chains.push((current = [e]));
    else if (current) current.push(e);
    else chains.push([e]);
  }
  return chains;
}

/**
 * Decides which files of a repository listing expire. Outline:
 * 1. Parse dated names (§4.1 step 3); group by prefix + series name.
 * 2. In each group, cut chains: a master and the non-masters after it until the next master;
 *    non-masters before any master (dumps, pipes, orphans) are chains of one.
 * 3. A chain expires when every member is dated ≤ today − TTL and, if it has a master, a later master
 *    of the series exists. With `strict`, chains of another prefix only go when they are a lone master.
 */
export function planPurge(names: string[], policy: PurgePolicy): PurgeVerdict[] {
  const limit = purgeDay(policy.today, policy.ttlDays);
  const groups = new Map<string, Entry[]>();
  for (const e of candidates(names, policy.prefix)) {
    const key = `${e.prefix}\u0000${e.name}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const verdicts: PurgeVerdict[] = [];
  for (const entries of groups.values()) {
    const chains = chainsOf(entries);
    chains.forEach((chain, i) => {
      const head = chain[0];
      const newest = chain[chain.length - 1].day;
      const laterMaster = chains.slice(i + 1).some((c) => c[0].master);
      const foreign = head.prefix !== policy.prefix;
      let reason: string;
      let remove = false;
      if (newest > limit) reason = `dated after ${limit}`;
      else if (head.master && !laterMaster) reason = "newest master of its series";
      else if (policy.strict && foreign && !(head.master && chain.length === 1)) reason = "other prefix (strict purge)";
      else {
        remove = true;
        reason = head.master ? `chain of ${head.day} expired (all ≤ ${limit}, newer master exists)` : `expired (≤ ${limit})`;
      }
      for (const e of chain) verdicts.push({ name: e.file, remove, reason });
    });
  }
  return verdicts.sort((a, b) => a.name.localeCompare(b.name));
}

async function listRepository(repo: string): Promise<string[]> {
  const names: string[] = [];
  for (const d of await readdir(repo, { withFileTypes: true })) {
    if (d.isFile() || d.isSymbolicLink()) names.push(d.name);
  }
  return names;
}

/** Applies the TTL purge to `repo` (or only lists it with dryRun); removes sidecars and manifest lines too. */
export async function purgeRepository(
  repo: string,
  policy: PurgePolicy,
  opts: { dryRun?: boolean; onLog?: (line: string) => void } = {},
): Promise<{ removed: string[]; kept: string[] }> {
  const verdicts = planPurge(await listRepository(repo), policy);
  const removed = verdicts.filter((v) => v.remove).map((v) => v.name);
  const kept = verdicts.filter((v) => !v.remove).map((v) => v.name);
  for (const name of removed) {
    const full = path.join(repo, name);
    if (opts.dryRun) {
      opts.onLog?.(`Would remove archive "${full}".`);
      continue;
    }
    opts.onLog?.(`Removing archive "${full}".`);
    await rm(full, { force: true });
    await rm(full + INDEX_SUFFIX, { force: true });
  }
  if (!opts.dryRun) await pruneSha256Manifest(repo, policy.prefix, removed);
  return { removed, kept };
}

/**
 * After a new archive `newName`: older regular files of the same series, kind (master or not) and
 * suffix with identical bytes become hard links to it (so the repository can be moved or synced).
 * Returns the replaced names.
 */
export async function purgeDuplicates(
  repo: string,
  newName: string,
  prefix: string,
  onLog?: (line: string) => void,
): Promise<string[]> {
  const me = parseArchiveName(newName, prefix);
  if (!me) return [];
  const newPath = path.join(repo, newName);
  const newStat = await lstat(newPath);
  let newHash: string | undefined;
  const replaced: string[] = [];
  for (const other of candidates(await listRepository(repo), prefix)) {
    const same = other.prefix === me.prefix && other.name === me.name && other.suffix === me.suffix;
    if (!same || other.master !== me.master || other.file === newName) continue;
    const otherPath = path.join(repo, other.file);
    const st = await lstat(otherPath);
    if (!st.isFile() || st.size !== newStat.size || st.ino === newStat.ino) continue;
    newHash ??= (await hashFile(newPath)).sha256;
    if ((await hashFile(otherPath)).sha256 !== newHash) continue;
    await replaceWithLink(newPath, otherPath);
    await replaceWithLink(newPath + INDEX_SUFFIX, otherPath + INDEX_SUFFIX).catch(() => undefined);
    onLog?.(`${otherPath} is a duplicate of ${newPath} (using hard link).`);
    replaced.push(other.file);
  }
  return replaced;
}

async function replaceWithLink(target: string, victim: string): Promise<void> {
  const tmp = `${victim}.link${PART_SUFFIX}`;
  await rm(tmp, { force: true });
  await link(target, tmp);
  await rename(tmp, victim);
}
