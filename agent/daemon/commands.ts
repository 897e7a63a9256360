// The console's commands as the agent acts on them: "run" starts the job as the console's run id, "cancel"
// aborts a run in progress, "restore" starts a restore run. Commands repeat until the run is reported, so each
// run id starts at most once.
import type { AgentCommand } from "@/lib/schemas/agent-protocol";
import type { JobStore } from "./job-store";
import type { RunManager } from "./run-manager";
import type { RunSpool } from "./run-spool";

export interface CommandDeps {
  runs: RunManager;
  spool: RunSpool;
  store: JobStore;
  /** Pulls the job list again (a "run" for a job this agent does not know yet). */
  refreshJobs(): Promise<void>;
  now(): Date;
}

/** Returns the handler of one poll answer's commands. */
export function commandHandler({ runs, spool, store, refreshJobs, now }: CommandDeps): (commands: AgentCommand[]) => Promise<void> {
  // Run ids already started here: a command repeated in a poll answer fetched just before the run's first
  // report reached the console must not start the run again once it left the spool.
  const started = new Set<string>();
  return async (commands) => {
    for (const c of commands) {
      if (c.kind === "cancel") {
        if (runs.cancel(c.runId) || spool.has(c.runId) || started.has(c.runId)) continue;
        const run = commands.find((x) => x.kind === "run" && x.runId === c.runId);
        const jobId = run?.kind === "run" ? run.jobId : null;
        const at = now().toISOString();
        started.add(c.runId);
        await spool.create(c.runId, { v: 1, jobId, type: "backup", trigger: "manual", status: "cancelled", reason: "Cancelled before it started", queuedAt: at, finishedAt: at }, true);
        continue;
      }
      if (started.has(c.runId) || spool.has(c.runId) || runs.isActive(c.runId)) continue;
      started.add(c.runId);
      if (c.kind === "restore") {
        await runs.restore(c.runId, c.params);
        continue;
      }
      if (!store.job(c.jobId)) await refreshJobs().catch(() => undefined);
      const job = store.job(c.jobId);
      if (job) await runs.trigger(job, "manual", c.runId);
      else {
        const at = now().toISOString();
        await spool.create(c.runId, { v: 1, jobId: c.jobId, type: "backup", trigger: "manual", status: "failed", reason: `Job "${c.jobId}" is not in this agent's job list`, queuedAt: at, finishedAt: at }, true);
      }
    }
  };
}
