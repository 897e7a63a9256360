// Time zones as rdiff-backup's time code sees them: the UTC offset in force at an instant, and the
// inverse (local wall time → instant, like C mktime). Injectable so tests need not change the process zone.

/** A time zone: the offset east of UTC, in seconds, in force at an instant (DST included). */
export interface TimeZone {
  offsetAt(epochSeconds: number): number;
}

/** The process's zone (honours TZ, read by the JS runtime at each call). */
export const localZone: TimeZone = {
  offsetAt: (t) => -new Date(t * 1000).getTimezoneOffset() * 60,
};

/** A zone with a constant offset (seconds east of UTC). */
export function fixedZone(offsetSeconds: number): TimeZone {
  return { offsetAt: () => offsetSeconds };
}

/** An IANA zone ("Europe/Berlin") through Intl, whatever the process zone is. */
export function ianaZone(name: string): TimeZone {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (err) {
    throw new Error(`Unknown time zone "${name}"`, { cause: err });
  }
  return {
    offsetAt(t) {
      const whole = Math.floor(t);
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(new Date(whole * 1000))) {
        if (part.type !== "literal") p[part.type] = Number(part.value);
      }
      const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
      return wall - whole;
    },
  };
}

/**
 * The instant whose local wall time in `zone` is `wallAsUtc` (wall-clock fields read as if UTC), like glibc
 * mktime with tm_isdst = -1: in a fall-back overlap the later (standard time) instant, in a spring-forward
 * gap the wall time read with the offset from before the change.
 */
export function wallTimeToEpoch(wallAsUtc: number, zone: TimeZone): number {
  const early = wallAsUtc - zone.offsetAt(wallAsUtc - 86400);
  const late = wallAsUtc - zone.offsetAt(wallAsUtc + 86400);
  const earlyOk = early + zone.offsetAt(early) === wallAsUtc;
  const lateOk = late + zone.offsetAt(late) === wallAsUtc;
  if (earlyOk && lateOk) return Math.max(early, late);
  if (lateOk) return late;
  return early;
}
