// The agent's one orchestrator loop: jobs pulled from the console (kept on disk), the scheduler ticking on the
// injected clock, commands polled every COMMAND_POLL_SECONDS, runs started by the run manager and their
// reports delivered by the sender. Everything keeps working from the disk copy while the console is down.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { acquirePidLock, type PidLock } from "../engines/pid-lock";
import { COMMAND_POLL_SECONDS } from "@/lib/schemas/agent-protocol";
import { commandHandler } from "./commands";
import type { ConsoleClient } from "./console-client";
import { hostKeyChecker } from "./host-keys";
import { JobStore } from "./job-store";
import { ReportSender } from "./report-sender";
import { RunManager } from "./run-manager";
import { RunSpool } from "./run-spool";
import { Scheduler } from "./scheduler";
import { sleep } from "./sleep";

export interface ControlLoopOptions {
  client: ConsoleClient;
  token: string;
  stateDir: string;
  repositoryRoots: string[];
  /** Runs at once (default 4). */
  maxConcurrentRuns?: number;
  /** IANA zone the schedules are read in (default: the process's zone). */
  timeZone?: string;
  signal: AbortSignal;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** The clock schedules follow (tests step it). */
  now?: () => Date;
  /** How often the scheduler looks at the clock, commands are polled, reports are sent (ms). */
  tickMs?: number;
  commandPollMs?: number;
  sendIntervalMs?: number;
  sendBackoffMs?: number;
  sendMaxBackoffMs?: number;
}

/** The pieces of a running control loop (exposed for tests and the daemon's shutdown). */
export interface ControlLoop {
  store: JobStore;
  spool: RunSpool;
  scheduler: Scheduler;
  runs: RunManager;
  sender: ReportSender;
  /** Resolves when the loop stopped (signal aborted, runs aborted, last reports attempted). */
  done: Promise<void>;
}

/** Starts the loop; it runs until `o.signal` aborts. */
export async function startControlLoop(o: ControlLoopOptions): Promise<ControlLoop> {
  // One daemon per state directory: a second one would take the first one's running runs for interrupted ones.
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(o.stateDir, "daemon.pid");
  const lock = await acquirePidLock(lockFile, {
    content: `${process.pid}\n`,
    busy: (pid) => `Another agent daemon (PID ${pid}) already uses the state directory "${o.stateDir}"`,
    busyHere: `This process already runs an agent daemon on "${o.stateDir}"`,
    cannotCreate: `Cannot create "${lockFile}"`,
    onLog: (line) => o.log("daemon.lock", { message: line }),
  });
  try {
    return await startLocked(o, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(o: ControlLoopOptions, lock: PidLock): Promise<ControlLoop> {
  const now = () => o.now?.() ?? new Date();
  const store = new JobStore(o.stateDir);
  const spool = new RunSpool(o.stateDir);
  await store.load(o.log);
  await spool.load(o.log);
  const scheduler = new Scheduler(o.timeZone);
  const checkHostKey = hostKeyChecker(o.client, o.token, o.log);
  const runs = new RunManager({ spool, store, stateDir: o.stateDir, repositoryRoots: o.repositoryRoots, timeZone: o.timeZone, checkHostKey, log: o.log, now: o.now, maxConcurrentRuns: o.maxConcurrentRuns });
  const sender = new ReportSender({
    spool, client: o.client, token: o.token, intervalMs: o.sendIntervalMs, backoffMs: o.sendBackoffMs, maxBackoffMs: o.sendMaxBackoffMs, log: o.log,
    onCancel: (runId) => runs.cancel(runId),
  });
  spool.onChange = (runId) => {
    if (spool.get(runId)?.done) sender.kick();
  };

  const refreshJobs = async () => {
    const res = await o.client.jobs(o.token, store.etag);
    if (!res) return;
    await store.save(res);
    for (const p of scheduler.setJobs(res.jobs, now())) o.log("schedule.invalid", { error: p });
    // New jobs count missed fires from now on (not from before the agent knew them).
    const fresh = res.jobs.filter((j) => store.lastFire(j.definition.id) === undefined);
    if (fresh.length) await store.recordFires(Object.fromEntries(fresh.map((j) => [j.definition.id, Math.floor(now().getTime() / 1000)])));
    o.log("jobs.updated", { etag: res.etag, jobs: res.jobs.length });
  };
  await refreshJobs().catch((err: Error) => o.log("jobs.offline", { error: err.message, jobs: store.jobs.length }));
  for (const p of scheduler.setJobs(store.jobs, now())) o.log("schedule.invalid", { error: p });

  // Runs a stopped agent left behind are reported failed and run again; then the runs missed while stopped.
  const rerun = await runs.recoverInterrupted();
  for (const job of rerun) await runs.trigger(job, "missed");
  const missed = scheduler.missed(store.jobs, (id) => store.lastFire(id), now());
  for (const f of missed.fires) if (!rerun.includes(f.job)) await runs.trigger(f.job, "missed");
  await store.recordFires(missed.lastFires);

  const tickLoop = async () => {
    while (!o.signal.aborted) {
      const fires = scheduler.due(now());
      for (const f of fires) await runs.trigger(f.job, "schedule").catch((err: Error) => o.log("run.error", { job: f.job.definition.name, error: err.message }));
      if (fires.length) await store.recordFires(Object.fromEntries(fires.map((f) => [f.job.definition.id, Math.floor(f.time.getTime() / 1000)])));
      await sleep(o.tickMs ?? 1000, o.signal);
    }
  };
  const commandLoop = async () => {
    let failures = 0;
    while (!o.signal.aborted) {
      try {
        const res = await o.client.commands(o.token);
        if (res.jobsEtag !== store.etag) await refreshJobs();
        await handleCommands(res.commands);
        failures = 0;
      } catch (err) {
        if (failures++ === 0) o.log("commands.failed", { error: (err as Error).message });
      }
      const base = o.commandPollMs ?? COMMAND_POLL_SECONDS * 1000;
      await sleep(failures === 0 ? base : Math.min(30_000, base * 2 ** Math.min(failures, 4)), o.signal);
    }
  };
  const handleCommands = commandHandler({ runs, spool, store, refreshJobs, now });

  const inner = new AbortController();
  const senderDone = sender.run(inner.signal);
  const done = (async () => {
    await Promise.all([tickLoop(), commandLoop()]);
    // Shutdown: running engines are aborted (their runs end "cancelled"), then one last try to deliver.
    await runs.shutdown();
    inner.abort();
    await senderDone;
    await Promise.race([sender.pass(), new Promise((r) => setTimeout(r, 5000))]).catch(() => undefined);
    await lock.release();
  })();
  return { store, spool, scheduler, runs, sender, done };
}

/** Runs the control loop until the signal aborts. */
export async function runControlLoop(o: ControlLoopOptions): Promise<void> {
  await (await startControlLoop(o)).done;
}
