// Job schedules: presets (hourly, daily at HH:MM, weekly on a day, monthly on a day) and cron expressions,
// validated, turned into one cron expression, and expanded into the next fire times in a time zone.
import { Cron } from "croner";
import { z } from "zod";

const hhmm = z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, "Use HH:MM, e.g. 02:30");

/** A schedule as the job form edits it. */
export const scheduleInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("hourly"), minute: z.number().int().min(0, "0-59").max(59, "0-59") }),
  z.object({ kind: z.literal("daily"), at: hhmm }),
  z.object({ kind: z.literal("weekly"), day: z.number().int().min(0, "0 (Sunday) to 6").max(6, "0 (Sunday) to 6"), at: hhmm }),
  z.object({ kind: z.literal("monthly"), day: z.number().int().min(1, "1-31").max(31, "1-31"), at: hhmm }),
  z.object({ kind: z.literal("cron"), expression: z.string().trim().min(1, "Enter a cron expression") }),
]);
export type ScheduleInput = z.infer<typeof scheduleInput>;

/** The cron expression (minute hour day-of-month month day-of-week) a schedule stands for. */
export function toCron(s: ScheduleInput): string {
  const [h, m] = "at" in s ? s.at.split(":").map(Number) : [0, 0];
  switch (s.kind) {
    case "hourly":
      return `${s.minute} * * * *`;
    case "daily":
      return `${m} ${h} * * *`;
    case "weekly":
      return `${m} ${h} * * ${s.day}`;
    case "monthly":
      return `${m} ${h} ${s.day} * *`;
    case "cron":
      return s.expression;
  }
}

/** Throws an Error with a readable message when the expression or zone is not valid. */
export function validateCron(expression: string, timeZone?: string): void {
  if (timeZone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      throw new Error(`Invalid schedule "${expression}": unknown time zone "${timeZone}"`);
    }
  }
  try {
    new Cron(expression, { timezone: timeZone, paused: true });
  } catch (err) {
    throw new Error(`Invalid schedule "${expression}": ${(err as Error).message}`, { cause: err });
  }
}

/** The next `count` fire times after `from`, in `timeZone` (IANA name; default the process zone). */
export function nextFireTimes(expression: string, count = 5, from: Date = new Date(), timeZone?: string): Date[] {
  validateCron(expression, timeZone);
  return new Cron(expression, { timezone: timeZone, paused: true }).nextRuns(count, from);
}

/** Fire times strictly after `since` and at or before `until` (the runs a stopped agent missed), at most `limit`. */
export function missedFireTimes(expression: string, since: Date, until: Date, timeZone?: string, limit = 1000): Date[] {
  const out: Date[] = [];
  const cron = new Cron(expression, { timezone: timeZone, paused: true });
  let t = cron.nextRun(since);
  while (t && t <= until && out.length < limit) {
    out.push(t);
    t = cron.nextRun(t);
  }
  return out;
}
