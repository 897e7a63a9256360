// The agent's copy of its jobs (the last `GET /jobs` answer) and each job's last fire time, both kept in the
// state directory so schedules keep firing, and missed runs are found, while the console is unreachable.
import path from "node:path";
import { z } from "zod";
import { jobsResponse, type AgentJob, type HostConnection, type JobsResponse } from "@/lib/schemas/agent-protocol";
import { readJsonFile, writeJsonAtomic } from "./state";

const JOBS_FILE = "jobs.json";
const FIRES_FILE = "schedule.json";
const firesSchema = z.object({ v: z.literal(1), lastFire: z.record(z.string(), z.number().int()) });

/** Jobs and hosts as last pulled, with lookups. */
export class JobStore {
  private current: JobsResponse | null = null;
  private fires: Record<string, number> = {};

  constructor(readonly stateDir: string) {}

  /** Loads both files; a corrupt jobs file is reported and ignored (the console sends a fresh copy). */
  async load(onLog?: (event: string, fields: Record<string, unknown>) => void): Promise<void> {
    try {
      const raw = await readJsonFile(path.join(this.stateDir, JOBS_FILE));
      if (raw !== null) {
        const r = jobsResponse.safeParse(raw);
        if (r.success) this.current = r.data;
        else onLog?.("jobs.corrupt", { error: r.error.message });
      }
    } catch (err) {
      onLog?.("jobs.corrupt", { error: (err as Error).message });
    }
    const fires = firesSchema.safeParse(await readJsonFile(path.join(this.stateDir, FIRES_FILE)).catch(() => null));
    this.fires = fires.success ? fires.data.lastFire : {};
  }

  get etag(): string | undefined {
    return this.current?.etag;
  }

  get jobs(): AgentJob[] {
    return this.current?.jobs ?? [];
  }

  /** Replaces the jobs (atomically on disk first). */
  async save(res: JobsResponse): Promise<void> {
    await writeJsonAtomic(path.join(this.stateDir, JOBS_FILE), res);
    this.current = res;
  }

  job(id: string): AgentJob | undefined {
    return this.current?.jobs.find((j) => j.definition.id === id);
  }

  host(id: string): HostConnection | undefined {
    return this.current?.hosts.find((h) => h.id === id);
  }

  /** Epoch seconds of the job's last fire (scheduled or missed), if any. */
  lastFire(jobId: string): number | undefined {
    return this.fires[jobId];
  }

  async recordFires(fires: Record<string, number>): Promise<void> {
    this.fires = { ...this.fires, ...fires };
    await writeJsonAtomic(path.join(this.stateDir, FIRES_FILE), { v: 1, lastFire: this.fires });
  }
}
