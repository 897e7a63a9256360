// Retention of a mirror repository after a session: lib/retention decides which sessions go, the mirror engine
// removes them. The reverse-increment format can only drop the oldest sessions, so a session retention would
// remove that is newer than one it keeps stays (logged), and the console is told exactly what went.
import { openRepository, removeIncrementsOlderThan } from "../engines/mirror/index";
import { applyRetention, type RetentionPolicy } from "@/lib/retention";
import { ianaZone, localZone } from "@/lib/timespec";

/** Removes the sessions `policy` does not keep (oldest ones only); resolves to the removed session times. */
export async function applyMirrorRetention(
  repository: string,
  policy: RetentionPolicy,
  now: Date,
  opts: { timeZone?: string; log: (line: string) => void },
): Promise<number[]> {
  if (Object.values(policy).every((v) => v === undefined)) return [];
  const repo = await openRepository(repository);
  const zone = opts.timeZone ? ianaZone(opts.timeZone) : localZone;
  const plan = applyRetention(repo.sessions, policy, Math.floor(now.getTime() / 1000), zone);
  if (plan.remove.length === 0) return [];
  const oldestKept = Math.min(...plan.keep);
  const stuck = plan.remove.filter((t) => t > oldestKept);
  if (stuck.length > 0) {
    opts.log(`Retention: ${stuck.length} increment(s) newer than the oldest kept one stay (a mirror only drops its oldest increments)`);
  }
  if (!plan.remove.some((t) => t < oldestKept)) return [];
  const removed = await removeIncrementsOlderThan(repo, oldestKept, { force: true });
  if (removed.times.length > 0) opts.log(`Retention: removed ${removed.times.length} increment(s): ${removed.times.map((t) => new Date(t * 1000).toISOString()).join(", ")}`);
  return removed.times;
}
