// rdiff-backup-compatible time handling shared by the agent and the console: session time strings,
// time specs (`--at 3D`, `2B`, dates), zones, durations. Pure: no I/O.
export { timeToString, timeToPretty, stringToTime, tzdFor, type FormatOptions } from "./time-string";
export {
  parseTimeSpec,
  intervalToSeconds,
  sessionsBack,
  asctimeToTime,
  TimeSpecError,
  type ParseTimeSpecOptions,
} from "./parse-time-spec";
export { formatInterval } from "./format-interval";
export { localZone, fixedZone, ianaZone, wallTimeToEpoch, type TimeZone } from "./zone";
