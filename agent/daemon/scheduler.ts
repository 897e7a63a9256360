// When jobs fire: each enabled job's cron expression in the agent's time zone (lib/schedule), driven by the
// caller's clock (`due(now)`), so tests step time instead of sleeping. Also finds the runs missed while stopped.
import { missedFireTimes, nextFireTimes } from "@/lib/schedule";
import type { AgentJob } from "@/lib/schemas/agent-protocol";

/** A job to start: when it was due and why. */
export interface Fire {
  job: AgentJob;
  time: Date;
  trigger: "schedule" | "missed";
}

interface Entry {
  job: AgentJob;
  key: string;
  next: Date | null;
}

const keyOf = (j: AgentJob) => `${j.definition.revision}|${j.definition.enabled}|${j.definition.schedule}`;

/** Per-job next fire times; `setJobs` on every new job list, `due` on every tick. */
export class Scheduler {
  private entries = new Map<string, Entry>();

  constructor(readonly timeZone?: string) {}

  /**
   * Takes a new job list: disabled and removed jobs drop out; new jobs and jobs whose definition changed get
   * their next fire after `now`; unchanged ones keep theirs. Returns one message per job whose schedule is invalid.
   */
  setJobs(jobs: readonly AgentJob[], now: Date): string[] {
    const problems: string[] = [];
    const next = new Map<string, Entry>();
    for (const job of jobs) {
      if (!job.definition.enabled) continue;
      const key = keyOf(job);
      const old = this.entries.get(job.definition.id);
      if (old && old.key === key) {
        next.set(job.definition.id, { ...old, job });
        continue;
      }
      try {
        next.set(job.definition.id, { job, key, next: nextFireTimes(job.definition.schedule, 1, now, this.timeZone)[0] ?? null });
      } catch (err) {
        problems.push(`Job "${job.definition.name}" is not scheduled: ${(err as Error).message}`);
      }
    }
    this.entries = next;
    return problems;
  }

  /** Jobs due at `now`, once each (several passed fire times coalesce into one); each then waits for its next. */
  due(now: Date): Fire[] {
    const fires: Fire[] = [];
    for (const e of this.entries.values()) {
      if (!e.next || e.next > now) continue;
      fires.push({ job: e.job, time: e.next, trigger: "schedule" });
      e.next = nextFireTimes(e.job.definition.schedule, 1, now, this.timeZone)[0] ?? null;
    }
    return fires;
  }

  /** The earliest next fire time of any job (null: nothing scheduled). */
  nextWake(): Date | null {
    let min: Date | null = null;
    for (const e of this.entries.values()) if (e.next && (!min || e.next < min)) min = e.next;
    return min;
  }

  /** The next fire time of one job (null when disabled, unknown or never). */
  nextFire(jobId: string): Date | null {
    return this.entries.get(jobId)?.next ?? null;
  }

  /**
   * Runs missed while the agent was stopped: for each enabled job with `runMissed` whose schedule fired after
   * its last recorded fire and up to `now`, one fire (trigger "missed"). `lastFires` gives every job's new
   * baseline (the last missed fire, or `now` for jobs never seen), to be saved by the caller.
   */
  missed(jobs: readonly AgentJob[], lastFire: (jobId: string) => number | undefined, now: Date): { fires: Fire[]; lastFires: Record<string, number> } {
    const fires: Fire[] = [];
    const lastFires: Record<string, number> = {};
    const nowSecs = Math.floor(now.getTime() / 1000);
    for (const job of jobs) {
      const id = job.definition.id;
      const last = lastFire(id);
      if (last === undefined) {
        lastFires[id] = nowSecs;
        continue;
      }
      if (!job.definition.enabled) continue;
      let times: Date[];
      try {
        times = missedFireTimes(job.definition.schedule, new Date(last * 1000), now, this.timeZone);
      } catch {
        continue;
      }
      if (times.length === 0) continue;
      const latest = times[times.length - 1];
      lastFires[id] = Math.floor(latest.getTime() / 1000);
      if (job.definition.runMissed) fires.push({ job, time: latest, trigger: "missed" });
    }
    return { fires, lastFires };
  }
}
