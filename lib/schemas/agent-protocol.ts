// Wire contract of the agent's control loop (v1): job definitions it pulls, commands it polls for (run now,
// cancel, restore), run reports it pushes, and SSH host keys it pins. Shared by the console routes under
// /api/agent/v1 and the agent daemon; both sides parse with these schemas. Agents authenticate with their token.
import { z } from "zod";
import { jobDefinition } from "@/lib/schemas/job";

/** How often the agent polls for commands (seconds): "run now" and "cancel" reach it within this. */
export const COMMAND_POLL_SECONDS = 2;

/** An SSH host as the agent connects to it. `hostKeyFingerprint` null: not pinned yet (pin on first success). */
export const hostConnection = z.object({
  id: z.string().uuid(),
  name: z.string(),
  address: z.string(),
  port: z.number().int().min(1).max(65535),
  user: z.string(),
  /** "SHA256:base64" as OpenSSH prints it, or null before the first connection. */
  hostKeyFingerprint: z.string().nullable(),
  /** True for hosts whose address is this agent's own machine and that are read as local paths (no SSH). */
  local: z.boolean(),
});
export type HostConnection = z.infer<typeof hostConnection>;

/** One job as the agent runs it: the stored definition plus where its repository lives on the agent. */
export const agentJob = z.object({
  definition: jobDefinition,
  /** Repository path relative to the agent's first repository root ("<host>/<job>"). */
  repository: z.string().min(1).max(4096),
  /** "mirror" for the mirror method, "archive" for every other method. */
  format: z.enum(["mirror", "archive"]),
});
export type AgentJob = z.infer<typeof agentJob>;

/** `GET /api/agent/v1/jobs`: every job of the hosts assigned to this agent. The agent keeps the last copy on disk. */
export const jobsResponse = z.object({
  v: z.literal(1),
  /** Changes whenever any job or host of this agent changes; the agent sends it back as `If-None-Match`. */
  etag: z.string(),
  hosts: z.array(hostConnection),
  jobs: z.array(agentJob),
});
export type JobsResponse = z.infer<typeof jobsResponse>;

/** A restore back to a host: what to restore, from when, and where. */
export const restoreParams = z.object({
  repositoryPath: z.string().min(1),
  format: z.enum(["mirror", "archive"]),
  /** Path inside the repository ("" = everything). */
  path: z.string(),
  /**
   * The path's exact bytes (base64url) when they are not valid UTF-8 (`path` then shows them as `\xHH` and is
   * for display only); the agent restores these bytes instead of `path`.
   */
  pathBase64: z.string().regex(/^[A-Za-z0-9_-]*$/, "base64url").optional(),
  /** Session time to restore, epoch seconds. */
  at: z.number().int(),
  /** Target host (must be one of this agent's hosts). */
  hostId: z.string().uuid(),
  /** Absolute target path on that host. */
  target: z.string().regex(/^\//, "an absolute path"),
  /** Overwrite existing files at the target. */
  overwrite: z.boolean(),
});
export type RestoreParams = z.infer<typeof restoreParams>;

export const agentCommand = z.discriminatedUnion("kind", [
  /** Start job `jobId` now as run `runId` (the console made the run row, status queued). */
  z.object({ kind: z.literal("run"), runId: z.string().uuid(), jobId: z.string().uuid() }),
  /** Stop run `runId` (its engine aborts; the repository stays at the last complete session). */
  z.object({ kind: z.literal("cancel"), runId: z.string().uuid() }),
  /** Restore back to a host as run `runId`. */
  z.object({ kind: z.literal("restore"), runId: z.string().uuid(), params: restoreParams }),
]);
export type AgentCommand = z.infer<typeof agentCommand>;

/** `GET /api/agent/v1/commands`: pending commands (repeated until the agent reports the run) and the jobs etag. */
export const commandsResponse = z.object({
  v: z.literal(1),
  jobsEtag: z.string(),
  commands: z.array(agentCommand),
});
export type CommandsResponse = z.infer<typeof commandsResponse>;

export const runStatus = z.enum(["queued", "running", "success", "partial", "failed", "cancelled", "skipped"]);
export type RunStatusName = z.infer<typeof runStatus>;
export const FINAL_STATUSES: readonly RunStatusName[] = ["success", "partial", "failed", "cancelled", "skipped"];

export const runStats = z
  .object({
    sourceFiles: z.number().int().nonnegative(),
    sourceBytes: z.number().int().nonnegative(),
    changedFiles: z.number().int().nonnegative(),
    newFiles: z.number().int().nonnegative(),
    deletedFiles: z.number().int().nonnegative(),
    incrementBytes: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
    /** Increments retention removed in this run. */
    removedIncrements: z.number().int().nonnegative(),
    /** Bytes restored (restore runs). */
    restoredBytes: z.number().int().nonnegative(),
    restoredFiles: z.number().int().nonnegative(),
  })
  .partial();
export type RunStats = z.infer<typeof runStats>;

/** Maximum log lines kept per run; beyond it lines are dropped and counted. */
export const RUN_LOG_MAX_LINES = 10_000;

/**
 * `PUT /api/agent/v1/runs/{runId}`: creates or updates a run (idempotent; the agent picks the id of scheduled runs).
 * Log lines travel as chunks with their line offset: the console appends a chunk only if `logOffset` equals the
 * lines it already has, so a retried report never duplicates lines. A final status is sent last, after the
 * session's change set was posted to /increments; a report for a run already final changes nothing.
 */
/** Longest run `reason` a report carries (the agent clips longer ones). */
export const RUN_REASON_MAX = 2000;

export const runReport = z.object({
  v: z.literal(1),
  jobId: z.string().uuid().nullable(),
  type: z.enum(["backup", "restore"]),
  trigger: z.enum(["schedule", "manual", "missed"]),
  status: runStatus,
  /** Why the run was skipped, failed or cancelled (one line, for people). */
  reason: z.string().max(RUN_REASON_MAX).optional(),
  /** Repository path on the agent (absolute, as registered in the catalogue); the console registers it on first report. */
  repository: z.string().max(4096).optional(),
  format: z.enum(["mirror", "archive"]).optional(),
  queuedAt: z.string().datetime().optional(),
  startedAt: z.string().datetime().optional(),
  finishedAt: z.string().datetime().optional(),
  stats: runStats.optional(),
  /** Session time of the increment this run wrote, epoch seconds (links the run to the catalogue's increment). */
  incrementTime: z.number().int().optional(),
  logOffset: z.number().int().nonnegative().optional(),
  log: z.array(z.string().max(8192)).max(RUN_LOG_MAX_LINES).optional(),
  droppedLogLines: z.number().int().nonnegative().optional(),
  /** Progress of a running run. */
  progress: z.object({ items: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), currentPath: z.string().max(4096).optional() }).optional(),
});
export type RunReport = z.infer<typeof runReport>;

export const runReportResponse = z.object({
  v: z.literal(1),
  /** Lines the console holds for this run (the next chunk's offset). */
  logLines: z.number().int().nonnegative(),
  /** The console asks the agent to stop this run (cancel requested). */
  cancel: z.boolean(),
});
export type RunReportResponse = z.infer<typeof runReportResponse>;

/**
 * `POST /api/agent/v1/host-keys`: the agent met a host key. First contact pins it; a different key than the
 * pinned one is recorded as pending (the run fails) until an admin accepts it.
 */
export const hostKeyReport = z.object({
  v: z.literal(1),
  hostId: z.string().uuid(),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "an OpenSSH SHA256 fingerprint"),
});
export const hostKeyResponse = z.object({
  v: z.literal(1),
  /** pinned: matches (or was just pinned); mismatch: differs from the pinned key (do not connect). */
  result: z.enum(["pinned", "mismatch"]),
  pinned: z.string().nullable(),
});
export type HostKeyReport = z.infer<typeof hostKeyReport>;
export type HostKeyResponse = z.infer<typeof hostKeyResponse>;

/** Console → agent data plane (signed POST): check a host like `rdiff-backup --test-server`. */
export const testConnectionRequest = z.object({ v: z.literal(1), host: hostConnection, path: z.string().regex(/^\//).optional() });
export const testStep = z.object({
  step: z.enum(["connect", "host-key", "authenticate", "list"]),
  ok: z.boolean(),
  message: z.string(),
  durationMs: z.number().int().nonnegative(),
});
export const testConnectionResponse = z.object({
  v: z.literal(1),
  ok: z.boolean(),
  steps: z.array(testStep),
  /** The key the host presented (to pin or to show when it changed). */
  fingerprint: z.string().nullable(),
  /** The first entries of `path` when listing succeeded. */
  entries: z.array(z.string()).optional(),
});
export type TestConnectionResponse = z.infer<typeof testConnectionResponse>;

/** Console → agent data plane (signed POST): what a mirror job's include/exclude rules select on the host. */
export const selectionPreviewRequest = z.object({
  v: z.literal(1),
  host: hostConnection,
  sources: z.array(z.string().regex(/^\//)).min(1).max(100),
  includes: z.array(z.string()),
  excludes: z.array(z.string()),
  limit: z.number().int().min(1).max(1000).default(200),
});
export const selectionPreviewResponse = z.object({
  v: z.literal(1),
  /** Selected paths in walk order (absolute on the host), at most `limit`. */
  entries: z.array(z.object({ path: z.string(), type: z.string(), size: z.number().int().nonnegative() })),
  truncated: z.boolean(),
  /** Entries looked at, and excluded, before stopping. */
  scanned: z.number().int().nonnegative(),
  excluded: z.number().int().nonnegative(),
});
export type SelectionPreviewResponse = z.infer<typeof selectionPreviewResponse>;
