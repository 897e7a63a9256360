// Formatting shared by the runs and fleet views: durations, ages, byte sizes, status tones.
import type { FleetStatus } from "@/lib/data/fleet";

type Tone = "slate" | "green" | "red" | "amber" | "blue";

/** "2 min 5 s", "3 h 4 min", "-" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** How long ago `d` was at `now`, e.g. "5 h ago"; "never" for null. */
export function formatAge(d: Date | null, now: Date = new Date()): string {
  if (!d) return "never";
  const ms = now.getTime() - d.getTime();
  return ms < 0 ? `in ${formatDuration(-ms)}` : `${formatDuration(ms).replace(/ \d+ (s|min)$/, "")} ago`;
}

/** Bytes in binary units, one decimal. */
export function formatBytes(n: number | null | undefined): string {
  if (!n) return "0 B";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${i === 0 ? n : (n / 1024 ** i).toFixed(1)} ${units[i]}`;
}

const RUN_TONES: Record<string, Tone> = { queued: "blue", running: "blue", success: "green", partial: "amber", failed: "red", cancelled: "slate", skipped: "slate" };
export const runTone = (status: string): Tone => RUN_TONES[status] ?? "slate";

const FLEET_TONES: Record<FleetStatus, Tone> = { ok: "green", failing: "red", overdue: "amber", "never run": "slate", running: "blue" };
export const fleetTone = (status: FleetStatus): Tone => FLEET_TONES[status];
