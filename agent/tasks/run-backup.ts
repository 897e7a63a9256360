// One backup run, in order: pre-command (a failure ends the run, nothing written), the engine (mirror or
// archive), retention, post-command (with the run's status), then the final report. Hooks run where the host
// is: on the agent for local hosts, over an SSH exec channel on SSH hosts (hook-command.ts). Cancel aborts
// the engine through the task's AbortSignal; the report is always finished, whatever happened.
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { AgentError } from "../errors";
import type { SessionResult } from "../engines/types";
import type { RunStats } from "@/lib/schemas/agent-protocol";
import { applyMirrorRetention } from "./apply-retention";
import { describeHookExit, runTaskHook } from "./hook-command";
import { runArchiveSession } from "./run-archive";
import { runMirrorSession } from "./run-mirror";
import type { BackupTask, RunOutcome } from "./types";

/** The absolute repository of a job: `<first root>/<agentJob.repository>`, refusing paths that leave the root. */
export function repositoryPathOf(roots: readonly string[], relative: string): string {
  if (roots.length === 0) throw new AgentError("usage", "This agent has no repository root (STRATA_AGENT_REPOSITORIES)");
  const root = path.resolve(roots[0]);
  const full = path.resolve(root, relative.replace(/^\/+/, ""));
  if (full === root || !full.startsWith(root + path.sep)) throw new AgentError("fatal", `Repository "${relative}" lies outside the repository root "${root}"`);
  return full;
}

function hookEnv(task: BackupTask, repository: string): Record<string, string> {
  const d = task.job.definition;
  return {
    STRATA_JOB: d.name,
    STRATA_JOB_ID: d.id,
    STRATA_METHOD: d.method,
    STRATA_HOST: task.host.name,
    STRATA_HOST_ADDRESS: task.host.address,
    STRATA_RUN_ID: task.runId,
    STRATA_TRIGGER: task.trigger,
    STRATA_REPOSITORY: repository,
  };
}

function statsOf(r: SessionResult, removed: number): RunStats {
  return { ...r.stats, removedIncrements: removed };
}

/** Runs the task to its end and finishes its report; resolves to the outcome (never rejects). */
export async function runBackupTask(task: BackupTask): Promise<RunOutcome> {
  const rec = task.recorder;
  const def = task.job.definition;
  let outcome: RunOutcome;
  let repository = "";
  try {
    repository = repositoryPathOf(task.repositoryRoots, task.job.repository);
    await rec.update({ status: "running", startedAt: new Date().toISOString(), repository, format: task.job.format });
    rec.log(`Run ${task.runId} of job "${def.name}" (${def.method}) on host "${task.host.name}", trigger ${task.trigger}`);
    await mkdir(path.dirname(repository), { recursive: true });
    const env = hookEnv(task, repository);
    if (def.preCommand) {
      rec.log(`Pre-command: ${def.preCommand}`);
      const r = await runTaskHook(task, def.preCommand, env, { onLine: (l) => rec.log(`pre: ${l}`), signal: task.signal });
      if (task.signal.aborted) throw new AgentError("cancelled", "Cancelled during the pre-command");
      if (r.code !== 0) {
        outcome = { status: "failed", reason: `Pre-command failed (${describeHookExit(r)}); nothing was backed up` };
        rec.log(outcome.reason!);
        await rec.finish(outcome);
        return outcome;
      }
    }
    outcome = await runEngine(task, repository);
    if (def.postCommand) {
      rec.log(`Post-command: ${def.postCommand}`);
      const why = await runTaskHook(task, def.postCommand, { ...env, STRATA_RUN_STATUS: outcome.status }, { onLine: (l) => rec.log(`post: ${l}`) }).then(
        (r) => (r.code === 0 ? null : describeHookExit(r)),
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
      if (why !== null) {
        rec.log(`WARNING: post-command failed (${why})`);
        if (outcome.status === "success") outcome = { ...outcome, status: "partial", reason: `Post-command failed (${why})` };
      }
    }
  } catch (err) {
    outcome = failure(err, task.signal.aborted);
    rec.log(outcome.reason!);
  }
  await rec.finish(outcome);
  return outcome;
}

/** The engine and retention; engine failures become a failed or cancelled outcome (post-command still runs). */
async function runEngine(task: BackupTask, repository: string): Promise<RunOutcome> {
  const def = task.job.definition;
  try {
    if (task.job.format === "mirror") {
      const result = await runMirrorSession(task, repository);
      let removed: number[] = [];
      try {
        removed = await applyMirrorRetention(repository, def.retention, task.now?.() ?? new Date(), { timeZone: task.timeZone, log: (l) => task.recorder.log(l) });
        if (removed.length > 0) await task.recorder.removed(repository, removed);
      } catch (err) {
        task.recorder.log(`WARNING: retention failed: ${(err as Error).message}`);
        return { status: "partial", reason: `Retention failed: ${(err as Error).message}`, stats: statsOf(result, 0), incrementTime: result.time };
      }
      return { status: result.status, stats: statsOf(result, removed.length), incrementTime: result.time, ...errorsReason(result) };
    }
    const result = await runArchiveSession(task, repository);
    return { status: result.status, stats: statsOf(result, result.removedSessions.length), incrementTime: result.time, ...errorsReason(result) };
  } catch (err) {
    const outcome = failure(err, task.signal.aborted);
    task.recorder.log(outcome.reason!);
    return outcome;
  }
}

function errorsReason(r: SessionResult): { reason?: string } {
  return r.status === "partial" ? { reason: `${r.stats.errors} item(s) could not be backed up` } : {};
}

function failure(err: unknown, aborted: boolean): RunOutcome {
  const message = err instanceof Error ? err.message : String(err);
  if (aborted || (err instanceof AgentError && err.kind === "cancelled")) return { status: "cancelled", reason: `Cancelled: ${message}` };
  return { status: "failed", reason: message };
}
