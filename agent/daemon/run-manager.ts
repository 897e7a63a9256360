// Starts runs, at most `maxConcurrentRuns` at once (the others wait "queued"), and keeps one run per job at a
// time: a trigger while the job runs (or waits) becomes a run reported "skipped" with its reason. Cancels runs through their AbortController, and at start turns the runs a
// stopped agent left unfinished into failed reports (their jobs run again).
import { randomUUID } from "node:crypto";
import type { AgentJob, HostConnection, RestoreParams, RunReport } from "@/lib/schemas/agent-protocol";
import { runBackupTask } from "../tasks/run-backup";
import { runRestoreTask } from "../tasks/run-restore";
import type { RunOutcome, RunRecorder } from "../tasks/types";
import type { JobStore } from "./job-store";
import type { RunSpool } from "./run-spool";
import { RunSlots } from "./run-slots";

export interface RunManagerOptions {
  spool: RunSpool;
  store: JobStore;
  stateDir: string;
  repositoryRoots: string[];
  timeZone?: string;
  checkHostKey?(host: HostConnection, fingerprint: string): Promise<boolean>;
  log: (event: string, fields?: Record<string, unknown>) => void;
  now?: () => Date;
  /** Runs at once (default 4); more wait "queued" for a free slot. */
  maxConcurrentRuns?: number;
}

interface Active {
  runId: string;
  jobId: string | null;
  controller: AbortController;
  done: Promise<RunOutcome>;
}

/** The message of a run a stopped agent left unfinished. */
export const INTERRUPTED = "agent stopped during the run";

/** Runs of this agent in progress. */
export class RunManager {
  private active = new Map<string, Active>();
  private slots: RunSlots;

  constructor(private o: RunManagerOptions) {
    this.slots = new RunSlots(o.maxConcurrentRuns ?? 4);
  }

  /** The run in progress for a job, if any. */
  runningFor(jobId: string): string | undefined {
    for (const a of this.active.values()) if (a.jobId === jobId) return a.runId;
    return undefined;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  /**
   * Starts a backup run of `job` as `runId` (a fresh id for scheduled runs). When the job already runs, the
   * run is recorded as skipped instead. Resolves once the run is spooled (not when it ends).
   */
  async trigger(job: AgentJob, trigger: RunReport["trigger"], runId: string = randomUUID()): Promise<{ runId: string; status: "started" | "skipped" | "failed" }> {
    const def = job.definition;
    const base = { v: 1 as const, jobId: def.id, type: "backup" as const, trigger, queuedAt: this.now().toISOString(), format: job.format };
    const busy = this.runningFor(def.id);
    if (busy) {
      const reason = `Job "${def.name}" is still running (run ${busy}); this ${trigger} run was skipped`;
      await this.o.spool.create(runId, { ...base, status: "skipped", reason, finishedAt: this.now().toISOString() }, true);
      this.o.log("run.skipped", { runId, job: def.name, busy });
      return { runId, status: "skipped" };
    }
    const host = this.o.store.host(def.hostId);
    if (!host) {
      const reason = `Host "${def.hostId}" of job "${def.name}" is not in this agent's job list`;
      await this.o.spool.create(runId, { ...base, status: "failed", reason, finishedAt: this.now().toISOString() }, true);
      return { runId, status: "failed" };
    }
    await this.o.spool.create(runId, { ...base, status: "queued" });
    const controller = new AbortController();
    const recorder = this.o.spool.recorder(runId);
    const task = {
      runId, job, host, trigger, recorder, signal: controller.signal, repositoryRoots: this.o.repositoryRoots,
      stateDir: this.o.stateDir, timeZone: this.o.timeZone, checkHostKey: this.o.checkHostKey, now: this.o.now,
    };
    this.start({ runId, jobId: def.id, controller, done: Promise.resolve(null as never) }, recorder, () => runBackupTask(task));
    this.o.log("run.started", { runId, job: def.name, trigger });
    return { runId, status: "started" };
  }

  /** Starts a restore run commanded by the console. */
  async restore(runId: string, params: RestoreParams): Promise<void> {
    const queuedAt = this.now().toISOString();
    await this.o.spool.create(runId, { v: 1, jobId: null, type: "restore", trigger: "manual", status: "queued", queuedAt, format: params.format });
    const controller = new AbortController();
    const recorder = this.o.spool.recorder(runId);
    const task = {
      runId, params, host: this.o.store.host(params.hostId), repositoryRoots: this.o.repositoryRoots, recorder,
      signal: controller.signal, stateDir: this.o.stateDir, checkHostKey: this.o.checkHostKey,
    };
    this.start({ runId, jobId: null, controller, done: Promise.resolve(null as never) }, recorder, () => runRestoreTask(task));
  }

  /** Runs `fn` once a run slot is free (cancelled while waiting: reported cancelled, never started). */
  private start(a: Active, recorder: RunRecorder, fn: () => Promise<RunOutcome>): void {
    a.done = (async () => {
      if (!this.slots.free) recorder.log(`Waiting for a free run slot (${this.slots.max} runs at once)`);
      if (!(await this.slots.take(a.controller.signal))) {
        const outcome: RunOutcome = { status: "cancelled", reason: "Cancelled before it started" };
        await recorder.finish(outcome);
        return outcome;
      }
      try {
        return await fn();
      } finally {
        this.slots.release();
      }
    })().finally(() => {
      this.active.delete(a.runId);
    });
    a.done.then((o) => this.o.log("run.finished", { runId: a.runId, status: o.status, reason: o.reason }));
    this.active.set(a.runId, a);
  }

  /** Aborts a run in progress; false when it is not running here. */
  cancel(runId: string): boolean {
    const a = this.active.get(runId);
    if (!a) return false;
    if (!a.controller.signal.aborted) this.o.log("run.cancel", { runId });
    a.controller.abort();
    return true;
  }

  /** Waits for every run in progress to end. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  /** Aborts every run and waits for them to finish their reports (clean shutdown). */
  async shutdown(): Promise<void> {
    for (const a of this.active.values()) a.controller.abort();
    await this.idle();
  }

  /**
   * Runs in the spool that never finished belong to an agent that was stopped: each becomes failed ("agent
   * stopped during the run"). Returns the jobs to run again (the mirror engine regresses the repository first).
   */
  async recoverInterrupted(): Promise<AgentJob[]> {
    const rerun: AgentJob[] = [];
    for (const run of this.o.spool.list()) {
      if (run.done || this.active.has(run.runId)) continue;
      const finishedAt = this.now().toISOString();
      await this.o.spool.update(run.runId, (r) => {
        r.report = { ...r.report, status: "failed", reason: INTERRUPTED, finishedAt, progress: undefined };
        r.changeSet = undefined;
        r.done = true;
      });
      await this.o.spool.appendLog(run.runId, [`Run failed: ${INTERRUPTED} (process ${run.pid}); the job runs again`]);
      this.o.log("run.interrupted", { runId: run.runId, jobId: run.report.jobId });
      const job = run.report.jobId && run.report.type === "backup" ? this.o.store.job(run.report.jobId) : undefined;
      if (job && !rerun.includes(job)) rerun.push(job);
    }
    return rerun;
  }
}
