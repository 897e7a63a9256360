// The run spool: every run's report lives on the agent's disk first (<state>/runs/<runId>/: run.json, log.txt,
// changes.ndjson) and stays there until the console acknowledged its final report (report-sender.ts).
// The log is bounded: the first lines are kept, then the last TAIL lines; those in between are dropped and counted.
import { appendFile, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { runReport, RUN_LOG_MAX_LINES, RUN_REASON_MAX, type RunReport } from "@/lib/schemas/agent-protocol";
import type { ChangeSetUpload, RunOutcome, RunRecorder } from "../tasks/types";
import { readJsonFile, writeJsonAtomic } from "./state";

const TAIL = 200;
const MAX_LINE = 8000;
/** How long a report the console refused stays on disk for people to look at (then `load` deletes it). */
export const REJECTED_KEEP_MS = 30 * 24 * 3600_000;

const spooledRun = z.object({
  v: z.literal(1),
  runId: z.string(),
  /** The report as it stands (log lines travel separately, from log.txt). */
  report: runReport.omit({ log: true, logOffset: true, droppedLogLines: true }),
  /** Lines in log.txt, and lines the console acknowledged. */
  logLines: z.number().int(),
  sentLines: z.number().int(),
  droppedLogLines: z.number().int(),
  changeSet: z.object({ file: z.string(), repository: z.string(), incrementKind: z.enum(["full", "incremental", "mirror"]), sizeBytes: z.number().optional(), archives: z.array(z.string()).optional(), posted: z.boolean() }).optional(),
  removal: z.object({ repository: z.string(), times: z.array(z.number().int()), posted: z.boolean() }).optional(),
  /** The run ended on the agent (its final status is in `report`). */
  done: z.boolean(),
  /** The console refused the report for good (kept on disk for people to look at). */
  rejected: z.string().optional(),
  /** When it was refused (ISO date-time; older spools have none and count from the file's age). */
  rejectedAt: z.string().optional(),
  /** Process that ran it (a run not done whose process is gone was interrupted). */
  pid: z.number().int(),
});
export type SpooledRun = z.infer<typeof spooledRun>;

/** The spool directory of one agent. */
export class RunSpool {
  readonly dir: string;
  private runs = new Map<string, SpooledRun>();
  private chains = new Map<string, Promise<unknown>>();
  /** Called after every change (the sender wakes up). */
  onChange: (runId: string) => void = () => {};

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, "runs");
  }

  /**
   * Loads every spooled run (unreadable ones are reported and skipped). Runs the console refused more than
   * `REJECTED_KEEP_MS` before `now` are deleted, so a refused report does not stay on disk forever.
   */
  async load(onLog?: (event: string, fields: Record<string, unknown>) => void, now = new Date()): Promise<SpooledRun[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const id of await readdir(this.dir)) {
      const file = path.join(this.dir, id, "run.json");
      const raw = await readJsonFile(file).catch((err: Error) => (onLog?.("spool.corrupt", { runId: id, error: err.message }), null));
      const r = spooledRun.safeParse(raw);
      if (!r.success) {
        if (raw !== null) onLog?.("spool.corrupt", { runId: id, error: r.error.message });
        continue;
      }
      if (r.data.rejected !== undefined) {
        const since = r.data.rejectedAt ? Date.parse(r.data.rejectedAt) : (await stat(file)).mtimeMs;
        if (now.getTime() - since > REJECTED_KEEP_MS) {
          onLog?.("spool.rejected-pruned", { runId: id, rejected: r.data.rejected });
          await rm(this.runDir(id), { recursive: true, force: true });
          continue;
        }
      }
      this.runs.set(id, r.data);
    }
    return this.list();
  }

  /** Spooled runs, oldest first. */
  list(): SpooledRun[] {
    return [...this.runs.values()].sort((a, b) => (a.report.queuedAt ?? "").localeCompare(b.report.queuedAt ?? ""));
  }

  get(runId: string): SpooledRun | undefined {
    return this.runs.get(runId);
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  runDir(runId: string): string {
    return path.join(this.dir, runId);
  }

  /** Creates a run (queued, or already final such as a skipped run). */
  async create(runId: string, report: SpooledRun["report"], done = false): Promise<SpooledRun> {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) throw new Error(`Invalid run id "${runId}"`);
    // A reason too long for the report schema would make the run unreadable at the next load: clip it here.
    if (report.reason !== undefined) report = { ...report, reason: report.reason.slice(0, RUN_REASON_MAX) };
    const run: SpooledRun = { v: 1, runId, report, logLines: 0, sentLines: 0, droppedLogLines: 0, done, pid: process.pid };
    await mkdir(this.runDir(runId), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(path.join(this.runDir(runId), "run.json"), run);
    this.runs.set(runId, run);
    this.onChange(runId);
    return run;
  }

  /** Applies `fn` to the run and writes it, one update at a time per run. */
  update(runId: string, fn: (r: SpooledRun) => void): Promise<SpooledRun> {
    const prev = this.chains.get(runId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const run = this.runs.get(runId);
      if (!run) throw new Error(`Run "${runId}" is not in the spool`);
      fn(run);
      await writeJsonAtomic(path.join(this.runDir(runId), "run.json"), run);
      this.onChange(runId);
      return run;
    });
    this.chains.set(runId, next.catch(() => undefined));
    return next;
  }

  /** Appends lines to the run's log file (the caller bounds them). */
  async appendLog(runId: string, lines: string[], dropped = 0): Promise<void> {
    if (lines.length === 0 && dropped === 0) return;
    await appendFile(path.join(this.runDir(runId), "log.txt"), lines.map((l) => l + "\n").join(""), { mode: 0o600 });
    await this.update(runId, (r) => {
      r.logLines += lines.length;
      r.droppedLogLines += dropped;
    });
  }

  /** Log lines [from, from+count) of a run. */
  async readLog(runId: string, from: number, count: number): Promise<string[]> {
    const text = await readFile(path.join(this.runDir(runId), "log.txt"), "utf8").catch(() => "");
    return text.split("\n").slice(0, -1).slice(from, from + count);
  }

  /** Forgets an acknowledged run and deletes its files. */
  async remove(runId: string): Promise<void> {
    await (this.chains.get(runId) ?? Promise.resolve());
    this.runs.delete(runId);
    this.chains.delete(runId);
    await rm(this.runDir(runId), { recursive: true, force: true });
  }

  /** A recorder for a task writing into this run. */
  recorder(runId: string): SpoolRecorder {
    return new SpoolRecorder(this, runId);
  }
}

/** RunRecorder over the spool: log lines are buffered and flushed about every 500 ms and at the end. */
export class SpoolRecorder implements RunRecorder {
  private pending: string[] = [];
  private tail: string[] = [];
  private written = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastProgress = 0;

  constructor(
    private spool: RunSpool,
    readonly runId: string,
  ) {}

  get changeSetPath(): string {
    return path.join(this.spool.runDir(this.runId), "changes.ndjson");
  }

  log(text: string): void {
    for (const raw of text.split("\n")) {
      const line = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) + "…" : raw;
      if (this.written + this.pending.length < RUN_LOG_MAX_LINES - TAIL - 1) this.pending.push(line);
      else {
        this.tail.push(line);
        if (this.tail.length > TAIL) (this.tail.shift(), this.dropped++);
      }
    }
    this.timer ??= setTimeout(() => void this.flush(), 500);
  }

  progress(p: NonNullable<RunReport["progress"]>): void {
    const now = Date.now();
    if (now - this.lastProgress < 1000) return;
    this.lastProgress = now;
    void this.spool.update(this.runId, (r) => void (r.report.progress = p)).catch(() => undefined);
  }

  /** Writes buffered lines to the log file. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.written += lines.length;
    this.flushing = this.flushing.then(() => this.spool.appendLog(this.runId, lines)).catch(() => undefined);
    return this.flushing;
  }

  async update(patch: Partial<Pick<RunReport, "status" | "startedAt" | "repository" | "format" | "stats">>): Promise<void> {
    await this.spool.update(this.runId, (r) => void Object.assign(r.report, patch));
  }

  async changeSet(u: ChangeSetUpload): Promise<void> {
    await this.spool.update(this.runId, (r) => void (r.changeSet = { ...u, posted: false }));
  }

  async removed(repository: string, times: number[]): Promise<void> {
    await this.spool.update(this.runId, (r) => void (r.removal = { repository, times, posted: false }));
  }

  /** Flushes the log (with the kept tail after a "dropped" marker) and marks the run done with its outcome. */
  async finish(o: RunOutcome): Promise<void> {
    await this.flush();
    if (this.tail.length > 0) {
      const tail = this.dropped > 0 ? [`… ${this.dropped} log lines dropped …`, ...this.tail] : this.tail;
      this.tail = [];
      this.written += tail.length;
      await this.spool.appendLog(this.runId, tail, this.dropped);
    }
    await this.spool.update(this.runId, (r) => {
      r.report = { ...r.report, status: o.status, finishedAt: new Date().toISOString(), progress: undefined };
      if (o.reason) r.report.reason = o.reason.slice(0, RUN_REASON_MAX);
      if (o.stats) r.report.stats = o.stats;
      if (o.incrementTime !== undefined) r.report.incrementTime = o.incrementTime;
      // A failed or cancelled session wrote no increment: its change set (if any) is not sent.
      if (o.status !== "success" && o.status !== "partial") r.changeSet = undefined;
      r.done = true;
    });
  }
}
