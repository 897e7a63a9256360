// The small interface every backup engine (mirror, archive, dump) plugs into the agent through.
import type { ChangeSetEntry } from "@/lib/schemas/change-set";

/** Progress and per-item problems flow out of an engine through these callbacks; engines never print. */
export interface EngineCallbacks {
  /** A log line for the run's log (info level). */
  onLog?(line: string): void;
  /** A path that could not be backed up; the run goes on and ends "partial". */
  onItemError?(path: string, error: Error): void;
  /** Periodic progress: items and bytes done so far. */
  onProgress?(p: { items: number; bytes: number; currentPath?: string }): void;
  /** Each change-set entry as soon as it is known. */
  onChange?(entry: ChangeSetEntry): void;
  /** Aborts the session; the engine leaves the repository as the last complete session. */
  signal?: AbortSignal;
}

/** Outcome of one engine session. */
export interface SessionResult {
  status: "success" | "partial";
  /** Session time, epoch seconds (the increment's identity). */
  time: number;
  startedAt: Date;
  finishedAt: Date;
  stats: {
    sourceFiles: number;
    sourceBytes: number;
    changedFiles: number;
    newFiles: number;
    deletedFiles: number;
    incrementBytes: number;
    errors: number;
  };
  /** Files the session produced (archives, dumps) relative to the repository, when the engine makes files. */
  outputs?: string[];
}
