// Session discovery (§3.1, §4.2): mirror time, restore-time list, the times `list increments` shows,
// and whether the repository is consistent, mid-session/crashed, or an interrupted initial backup.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DATA_DIR, DATA_PREFIX, listDataFiles, type DataFile } from "./names";
import { readQuoting, type Quoting } from "./quoting";

export type RepoStatus = "ok" | "interrupted" | "interrupted-initial" | "bad" | "not-a-repository";

/** What the data dir says about a repository. */
export interface RepoState {
  repo: string;
  dataDir: string;
  status: RepoStatus;
  /** Time of the last complete session (the single marker, or the older of two). */
  mirrorTime: number | null;
  /** With two markers: the newer one (the failed or running session). */
  failedTime?: number;
  /** PIDs written in the markers (`PID n`), to tell a running session from a crashed one. */
  markerPids: number[];
  quoting: Quoting;
  /** Every timestamped file in the data dir. */
  files: DataFile[];
}

/** Reads the PID out of a current_mirror marker's content. */
export function parseMarkerPid(text: string): number | null {
  const m = /^PID\s*([0-9]+)/im.exec(text);
  return m ? Number(m[1]) : null;
}

/** Whether a process with this PID exists on this host (`kill(pid, 0)`). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Inspects a repository's data dir without changing anything. */
export async function inspectRepository(repo: string): Promise<RepoState> {
  const dataDir = path.join(repo, DATA_DIR);
  const isDir = await stat(dataDir).then((s) => s.isDirectory(), () => false);
  const quoting = await readQuoting(dataDir);
  const base = { repo, dataDir, markerPids: [] as number[], quoting, files: [] as DataFile[] };
  if (!isDir) return { ...base, status: "not-a-repository", mirrorTime: null };
  const files = await listDataFiles(dataDir, quoting.identity ? undefined : quoting.unquote);
  const markers = files.filter((f) => f.prefix === DATA_PREFIX.currentMirror && f.type === "data");
  const pids: number[] = [];
  for (const m of markers) {
    const pid = parseMarkerPid(await readFile(path.join(dataDir, m.name), "latin1").catch(() => ""));
    if (pid !== null) pids.push(pid);
  }
  const state = { ...base, files, markerPids: pids };
  if (markers.length === 1) return { ...state, status: "ok", mirrorTime: markers[0].time };
  if (markers.length === 2) {
    return { ...state, status: "interrupted", mirrorTime: markers[0].time, failedTime: markers[1].time };
  }
  if (markers.length === 0) {
    const count = (p: string) => files.filter((f) => f.prefix === p).length;
    const initial = count(DATA_PREFIX.errorLog) <= 1 && count(DATA_PREFIX.mirrorMetadata) <= 1;
    return { ...state, status: initial ? "interrupted-initial" : "bad", mirrorTime: null };
  }
  return { ...state, status: "bad", mirrorTime: markers[markers.length - 2].time };
}

/** Restore-time list: mirror time ∪ root-increment times ∪ metadata times (≤ mirror), ascending. */
export function sessionTimes(state: RepoState): number[] {
  const times = new Set<number>();
  if (state.mirrorTime !== null) times.add(state.mirrorTime);
  for (const f of state.files) {
    if (f.prefix === DATA_PREFIX.increments || f.prefix === DATA_PREFIX.mirrorMetadata) times.add(f.time);
  }
  const limit = state.mirrorTime ?? Infinity;
  return [...times].filter((t) => t <= limit).sort((a, b) => a - b);
}

/** Times `list increments` shows: those of `increments.<t>.*` root increments, ascending. */
export function incrementTimes(state: RepoState): DataFile[] {
  return state.files.filter((f) => f.prefix === DATA_PREFIX.increments && (state.mirrorTime === null || f.time < state.mirrorTime));
}

/** The session a time T restores: the newest session at or before T, else the oldest one (§3.2). */
export function resolveRestoreTime(times: number[], at: number): number {
  if (!times.length) throw new Error("Cannot pick a session: the repository has none");
  let pick = times[0];
  for (const t of times) if (t <= at) pick = t;
  return pick;
}
