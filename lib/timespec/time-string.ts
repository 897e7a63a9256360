// rdiff-backup's session time strings (spec §2.1): formatting in a zone, including the compatible `-` form,
// and the parser that decides whether a file name carries a time, replicated quirk for quirk from upstream.
import { localZone, type TimeZone } from "./zone";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export interface FormatOptions {
  /** Defaults to the process zone. */
  zone?: TimeZone;
  /** `--use-compatible-timestamps` (or a repository quoting `:`): every `:` becomes `-`. */
  compatible?: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Wall-clock fields of `t` shifted by `offset` seconds. */
function wallFields(t: number, offset: number): Date {
  return new Date((Math.floor(t) + offset) * 1000);
}

/**
 * Time zone designator as upstream `_get_tzd` writes it: `Z` for UTC, else `±HH:MM` computed with floor
 * division, so negative offsets that are not whole hours come out one hour further west (−03:30 → "-04:30");
 * `stringToTime` has the matching quirk, so such names still parse back to the right instant.
 */
export function tzdFor(offsetSeconds: number, compatible = false): string {
  const offset = Math.trunc(offsetSeconds / 60);
  if (offset === 0) return "Z";
  const hours = Math.abs(Math.floor(offset / 60));
  const minutes = Math.abs(offset - Math.floor(offset / 60) * 60);
  return `${offset > 0 ? "+" : "-"}${pad2(hours)}${compatible ? "-" : ":"}${pad2(minutes)}`;
}

/** Session time string used in increment names: `2024-03-25T11:00:00+01:00` (local time of `zone`). */
export function timeToString(t: number, opts: FormatOptions = {}): string {
  const offset = (opts.zone ?? localZone).offsetAt(t);
  const d = wallFields(t, offset);
  const sep = opts.compatible ? "-" : ":";
  const date = `${String(d.getUTCFullYear()).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(pad2).join(sep);
  return `${date}T${time}${tzdFor(offset, opts.compatible)}`;
}

/** `time.asctime` form rdiff-backup prints in listings: `Mon Apr  1 10:00:00 2024`. */
export function timeToPretty(t: number, zone: TimeZone = localZone): string {
  const d = wallFields(t, zone.offsetAt(t));
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(pad2).join(":");
  const day = String(d.getUTCDate()).padStart(2, " ");
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${time} ${d.getUTCFullYear()}`;
}

/** Python's int() on a str, ASCII digits only: surrounding whitespace, a sign, `_` between digits. */
export function pyInt(s: string): number | null {
  const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(s);
  if (!m) return null;
  const v = Number(m[2].replaceAll("_", ""));
  return m[1] === "-" ? -v : v;
}

/** Seconds to add to the wall time read as UTC (upstream `_tzd_to_seconds`), null when not a TZD. */
function tzdToSeconds(tzd: string): number | null {
  if (tzd === "Z") return 0;
  if (!(tzd.length === 6 && (tzd[0] === "-" || tzd[0] === "+") && (tzd[3] === ":" || tzd[3] === "-"))) return null;
  const hours = pyInt(tzd.slice(0, 3));
  const minutes = pyInt(tzd.slice(4));
  if (hours === null || minutes === null) return null;
  return -60 * (60 * hours + minutes);
}

/**
 * Parses a W3 time string exactly like upstream `stringtotime`: the first 19 characters split on `T`, `:`
 * or `-` into six integers in range, then a TZD (`Z` or `±HH:MM` / `±HH-MM`). Returns epoch seconds or null.
 */
export function stringToTime(s: string): number | null {
  const parts = s.slice(0, 19).split(/[T:-]/);
  if (parts.length !== 6) return null;
  const nums = parts.map(pyInt);
  if (nums.some((n) => n === null)) return null;
  const [year, month, day, hour, minute, second] = nums as number[];
  if (!(year > 1900 && year < 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return null;
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 61)) return null;
  const tz = tzdToSeconds(s.slice(19));
  if (tz === null) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 + tz;
}
