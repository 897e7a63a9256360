// Retention as a pure function: which increments a policy keeps and removes, and why. The console calls it to
// preview ("dry run" in the job form), the agent calls it before deleting anything.
import { z } from "zod";
import { parseTimeSpec, fixedZone, type TimeZone } from "@/lib/timespec";

/** A retention policy; every field optional. With no field set, everything is kept. */
export const retentionPolicy = z.object({
  /** rdiff-backup time spec (`4W`, `30D`, a date): increments older than this may go. */
  olderThan: z.string().trim().min(1).optional(),
  keepLast: z.number().int().min(1).max(100_000).optional(),
  keepDaily: z.number().int().min(1).max(10_000).optional(),
  keepWeekly: z.number().int().min(1).max(10_000).optional(),
  keepMonthly: z.number().int().min(1).max(10_000).optional(),
});
export type RetentionPolicy = z.infer<typeof retentionPolicy>;

export interface RetentionResult {
  keep: number[];
  remove: number[];
  /** Why each kept increment stays (every rule that keeps it). */
  reasons: Map<number, string[]>;
}

const DAY = 86_400;

/** Calendar buckets in a zone: day number, ISO-like week number (weeks start Monday), and year*12+month. */
function buckets(t: number, zone: TimeZone) {
  const local = t + zone.offsetAt(t);
  const day = Math.floor(local / DAY);
  const week = Math.floor((day + 3) / 7); // 1970-01-01 was a Thursday: shift so weeks start on Monday
  const d = new Date(local * 1000);
  return { day, week, month: d.getUTCFullYear() * 12 + d.getUTCMonth() };
}

/**
 * Applies `policy` to increment times (epoch seconds) at `now`:
 * 1. the newest increment is always kept (it is the current mirror / latest archive);
 * 2. `olderThan` keeps everything newer than `now - spec`;
 * 3. `keepLast` keeps the N newest; `keepDaily/Weekly/Monthly` keep the newest increment of each of the N newest
 *    days / weeks / months that have one;
 * 4. with no rule at all everything is kept; otherwise what no rule keeps is removed.
 */
export function applyRetention(times: readonly number[], policy: RetentionPolicy, now: number, zone: TimeZone = fixedZone(0)): RetentionResult {
  const sorted = [...new Set(times)].sort((a, b) => b - a);
  const reasons = new Map<number, string[]>();
  const keepFor = (t: number, why: string) => reasons.set(t, [...(reasons.get(t) ?? []), why]);
  if (sorted.length === 0) return { keep: [], remove: [], reasons };
  keepFor(sorted[0], "newest");
  const hasRule = Object.values(policy).some((v) => v !== undefined);
  if (!hasRule) for (const t of sorted.slice(1)) keepFor(t, "no retention rule");
  if (policy.olderThan) {
    const cutoff = parseTimeSpec(policy.olderThan, { now, sessionTimes: sorted, zone });
    for (const t of sorted) if (t >= cutoff) keepFor(t, `newer than ${policy.olderThan}`);
  }
  if (policy.keepLast) for (const t of sorted.slice(0, policy.keepLast)) keepFor(t, `last ${policy.keepLast}`);
  const periodic: [keyof ReturnType<typeof buckets>, number | undefined, string][] = [
    ["day", policy.keepDaily, "daily"],
    ["week", policy.keepWeekly, "weekly"],
    ["month", policy.keepMonthly, "monthly"],
  ];
  for (const [unit, count, label] of periodic) {
    if (!count) continue;
    const seen = new Set<number>();
    for (const t of sorted) {
      const b = buckets(t, zone)[unit];
      if (seen.has(b)) continue;
      if (seen.size >= count) break;
      seen.add(b);
      keepFor(t, `${label} ${seen.size}/${count}`);
    }
  }
  const keep = sorted.filter((t) => reasons.has(t)).reverse();
  const remove = sorted.filter((t) => !reasons.has(t)).reverse();
  return { keep, remove, reasons };
}
