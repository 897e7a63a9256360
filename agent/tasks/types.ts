// What a task (one backup or restore run) needs from the daemon: where its report goes (RunRecorder, backed
// by the on-disk run spool) and the run's identity. Tasks never talk to the console directly.
import type { AgentJob, HostConnection, RunReport, RunStats } from "@/lib/schemas/agent-protocol";

/** Final outcome of a run as the task decided it. */
export interface RunOutcome {
  status: "success" | "partial" | "failed" | "cancelled" | "skipped";
  reason?: string;
  stats?: RunStats;
  incrementTime?: number;
}

/** A session's change set to upload before the final report (NDJSON file written by the engine or the task). */
export interface ChangeSetUpload {
  /** Absolute path of the NDJSON file (its first line is the change-set header). */
  file: string;
  repository: string;
  incrementKind: "full" | "incremental" | "mirror";
  sizeBytes?: number;
  archives?: string[];
}

/** The run's report as it builds up; every call lands on the agent's disk before anything is sent. */
export interface RunRecorder {
  readonly runId: string;
  /** Where the task writes the change set of this run. */
  readonly changeSetPath: string;
  log(line: string): void;
  progress(p: NonNullable<RunReport["progress"]>): void;
  update(patch: Partial<Pick<RunReport, "status" | "startedAt" | "repository" | "format" | "stats">>): Promise<void>;
  changeSet(upload: ChangeSetUpload): Promise<void>;
  removed(repository: string, times: number[]): Promise<void>;
  finish(outcome: RunOutcome): Promise<void>;
}

/** Everything one backup run needs. */
export interface BackupTask {
  runId: string;
  job: AgentJob;
  host: HostConnection;
  trigger: RunReport["trigger"];
  /** The repository roots of this agent (the job's repository lives under the first). */
  repositoryRoots: string[];
  stateDir: string;
  timeZone?: string;
  recorder: RunRecorder;
  signal: AbortSignal;
  /** Asks the console whether a host key may be trusted (pinning). */
  checkHostKey?(host: HostConnection, fingerprint: string): Promise<boolean>;
  now?: () => Date;
}
