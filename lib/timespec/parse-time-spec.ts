// Time specs for `--at`, `--older-than`, `--since` (spec §2.2), parsed in upstream `genstrtotime`'s order:
// now, epoch seconds, W3 date-time (TZD optional), NB sessions back, asctime, interval, plain date.
import { stringToTime, tzdFor } from "./time-string";
import { localZone, wallTimeToEpoch, type TimeZone } from "./zone";

/** A time spec that is none of the accepted forms; `timeString` is what the user typed. */
export class TimeSpecError extends Error {
  constructor(
    readonly timeString: string,
    reason: string,
  ) {
    super(`Time string "${timeString}" couldn't be parsed: ${reason}`);
    this.name = "TimeSpecError";
  }
}

export interface ParseTimeSpecOptions {
  /** The reference "now" in epoch seconds (rdiff-backup's current time or `--current-time`). */
  now: number;
  /** Session times of the repository incl. the current mirror, for `NB`; sorted here. */
  sessionTimes?: readonly number[];
  /** Zone for asctime forms; default the process zone. */
  zone?: TimeZone;
  /**
   * Offset (seconds east of UTC) used for forms without a zone (W3 without TZD, plain dates). Upstream uses
   * the offset in force at the real current time, not at the given date; default `zone` at the real now.
   */
  offsetNow?: number;
}

const USAGE =
  'use "now", epoch seconds, an interval like "3D64s", a session count like "2B", a date-time like ' +
  '"2002-04-26T04:22:01-07:00" (or without zone), an asctime like "Thu Jan 11 12:00:00 2024", or a date ' +
  'like "2001-04-23" or "4/23/2001"';

export const INTERVAL_UNITS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  D: 86400,
  W: 7 * 86400,
  M: 30 * 86400,
  Y: 365 * 86400,
};

/** Seconds in an interval like `3D64s` (at least 2 characters, units s m h D W M Y), or null. */
export function intervalToSeconds(s: string): number | null {
  if (s.length < 2) return null;
  let total = 0;
  const re = /^([0-9]+)([smhDWMY])/;
  for (let rest = s; rest.length > 0; ) {
    const m = re.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * INTERVAL_UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Epoch seconds of the `n`-th session back (0 = current mirror); the oldest when there are too few. */
export function sessionsBack(n: number, sessionTimes: readonly number[]): number {
  const sorted = [...sessionTimes].sort((a, b) => a - b);
  if (sorted.length <= n) return sorted[0];
  return sorted[sorted.length - n - 1];
}

const DAY_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun";
const MONTH_NAMES = [
  "january", "february", "march", "april", "may", "june",
  "july", "august", "september", "october", "november", "december",
];
const ASCTIME = new RegExp(
  `^(?:${DAY_NAMES})\\s+(${MONTH_NAMES.join("|")}|${MONTH_NAMES.map((m) => m.slice(0, 3)).join("|")})\\s+` +
    "(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])\\s+(2[0-3]|[0-1]\\d|\\d):([0-5]\\d|\\d):(6[0-1]|[0-5]\\d|\\d)\\s+(\\d{4})$",
  "i",
);

/** `time.mktime(time.strptime(s))`: the default asctime format in local time, or null. */
export function asctimeToTime(s: string, zone: TimeZone): number | null {
  const m = ASCTIME.exec(s);
  if (!m) return null;
  const name = m[1].toLowerCase();
  const month = MONTH_NAMES.findIndex((n) => n === name || n.slice(0, 3) === name);
  const [day, hour, minute, second, year] = m.slice(2).map((v) => Number(v.trim()));
  const probe = new Date(Date.UTC(2000, month, day));
  if (year < 1 || probe.getUTCMonth() !== month || (month === 1 && day === 29 && !isLeap(year))) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, second);
  return wallTimeToEpoch(d.getTime() / 1000, zone);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Parses a time spec into epoch seconds; throws TimeSpecError with rdiff-backup's list of forms. */
export function parseTimeSpec(spec: string, opts: ParseTimeSpecOptions): number {
  const zone = opts.zone ?? localZone;
  const tzdNow = () => tzdFor(opts.offsetNow ?? zone.offsetAt(Math.floor(Date.now() / 1000)));
  if (spec === "now") return opts.now;
  if (/^[0-9]+$/.test(spec)) return Number(spec);
  // Upstream chains these with `or`, so an instant of exactly 0 falls through to the later forms.
  const w3 = stringToTime(spec) || stringToTime(spec + tzdNow());
  if (w3) return w3;
  if (/^[0-9]+B$/.test(spec)) {
    if (!opts.sessionTimes?.length) throw new TimeSpecError(spec, "the repository has no sessions to count back");
    return sessionsBack(Number(spec.slice(0, -1)), opts.sessionTimes);
  }
  const pretty = asctimeToTime(spec, zone);
  if (pretty !== null) return pretty;
  const interval = intervalToSeconds(spec);
  if (interval !== null) return opts.now - interval;
  const m =
    /^(?<year>[0-9]{4})[-/](?<month>[0-9]{1,2})[-/](?<day>[0-9]{1,2})$/.exec(spec) ??
    /^(?<month>[0-9]{1,2})[-/](?<day>[0-9]{1,2})[-/](?<year>[0-9]{4})$/.exec(spec);
  if (m?.groups) {
    const { year, month, day } = m.groups;
    const t = stringToTime(`${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}T00:00:00${tzdNow()}`);
    if (t !== null) return t;
  }
  throw new TimeSpecError(spec, USAGE);
}
