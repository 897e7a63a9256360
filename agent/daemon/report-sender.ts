// Sends the spooled runs to the console until each is acknowledged, in the contract's order: running updates
// with log chunks (the live log, about every second), then the change set (/increments) and retention's
// removals (/increments/remove), then the final report. Every step is idempotent, so a retry after a lost
// answer is harmless; while the console is unreachable the sender backs off and the spool keeps everything.
import { open } from "node:fs/promises";
import { AgentError } from "../errors";
import type { RunReport } from "@/lib/schemas/agent-protocol";
import type { ConsoleClient } from "./console-client";
import type { RunSpool, SpooledRun } from "./run-spool";
import { sleep } from "./sleep";

const CHUNK = 1000;

export interface SenderOptions {
  spool: RunSpool;
  client: ConsoleClient;
  token: string;
  /** Pause between passes while everything is sent (ms; the live log cadence). */
  intervalMs?: number;
  /** First retry delay after a failure (doubles up to maxBackoffMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The console asked to stop this run. */
  onCancel?(runId: string): void;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

/** The sender loop; `kick()` makes it send at once. */
export class ReportSender {
  private wake: (() => void) | undefined;
  private failures = 0;
  /** Spool revision of each run at its last successful running update (unsent changes need another). */
  private sentState = new Map<string, string>();

  constructor(private o: SenderOptions) {}

  kick(): void {
    this.wake?.();
  }

  /** Sends until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const ok = await this.pass();
      const base = this.o.backoffMs ?? 1000;
      const delay = ok ? (this.o.intervalMs ?? 1000) : Math.min(this.o.maxBackoffMs ?? 60_000, base * 2 ** Math.min(this.failures - 1, 10));
      const wait = sleep(delay, signal);
      this.wake = wait.wake;
      await wait;
      this.wake = undefined;
    }
  }

  /** One pass over the spool; false when the console could not be reached (back off). */
  async pass(): Promise<boolean> {
    for (const run of this.o.spool.list()) {
      if (run.rejected) continue;
      try {
        await this.sendRun(run);
      } catch (err) {
        if (err instanceof AgentError && err.kind === "retryable") {
          this.failures++;
          if (this.failures === 1 || this.failures % 10 === 0) this.o.log("reports.retry", { runId: run.runId, error: err.message, failures: this.failures });
          return false;
        }
        this.o.log("reports.rejected", { runId: run.runId, error: (err as Error).message });
        await this.o.spool.update(run.runId, (r) => {
          r.rejected = (err as Error).message;
          r.rejectedAt = new Date().toISOString();
        });
      }
    }
    if (this.failures > 0) this.o.log("reports.delivered", { after: this.failures });
    this.failures = 0;
    return true;
  }

  private async put(run: SpooledRun, report: RunReport): Promise<void> {
    const res = await this.o.client.putRun(this.o.token, run.runId, report);
    await this.o.spool.update(run.runId, (r) => void (r.sentLines = Math.min(res.logLines, r.logLines)));
    if (res.cancel && !run.done) this.o.onCancel?.(run.runId);
  }

  private async sendRun(run: SpooledRun): Promise<void> {
    const id = run.runId;
    // 1. Log chunks and the state so far as "running" (or "queued"), never the final status yet. A finished
    //    run with a change set gets one such update at least: it registers the repository before the upload.
    for (;;) {
      const cur = this.o.spool.get(id)!;
      const state = JSON.stringify([cur.report, cur.logLines]);
      const unsent = cur.sentLines < cur.logLines;
      const changed = !cur.done && this.sentState.get(id) !== state;
      const register = cur.done && cur.changeSet !== undefined && !cur.changeSet.posted && !this.sentState.has(id);
      if (!unsent && !changed && !register) break;
      const offset = cur.sentLines;
      const log = await this.o.spool.readLog(id, offset, CHUNK);
      const { status, reason: _r, finishedAt: _f, ...rest } = cur.report;
      await this.put(cur, { ...rest, status: status === "queued" ? "queued" : "running", logOffset: offset, log });
      this.sentState.set(id, state);
      // Nothing more to send, or the console did not take the chunk (its count stays): next pass.
      if (log.length === 0 || this.o.spool.get(id)!.sentLines <= offset) break;
    }
    const cur = this.o.spool.get(id)!;
    if (!cur.done || cur.sentLines < cur.logLines) return;
    // 2. The change set, then retention's removals.
    if (cur.changeSet && !cur.changeSet.posted) {
      try {
        await this.o.client.postIncrements(this.o.token, changeSetStream(cur.changeSet));
      } catch (err) {
        if (err instanceof AgentError && err.kind === "retryable") throw err;
        this.o.log("reports.change-set-rejected", { runId: id, error: (err as Error).message });
      }
      await this.o.spool.update(id, (r) => void (r.changeSet!.posted = true));
    }
    if (cur.removal && !cur.removal.posted) {
      await this.o.client.removeIncrements(this.o.token, { v: 1, repository: cur.removal.repository, times: cur.removal.times });
      await this.o.spool.update(id, (r) => void (r.removal!.posted = true));
    }
    // 3. The final report; once acknowledged the run leaves the spool.
    const last = this.o.spool.get(id)!;
    await this.put(last, { ...last.report, logOffset: last.sentLines, log: [], droppedLogLines: last.droppedLogLines });
    this.sentState.delete(id);
    await this.o.spool.remove(id);
  }
}

/** The change-set file as the upload expects it: the header line extended with the repository, then the entries. */
async function* changeSetStream(cs: NonNullable<SpooledRun["changeSet"]>): AsyncGenerator<Uint8Array> {
  const fh = await open(cs.file, "r");
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const nl = head.subarray(0, bytesRead).indexOf(0x0a);
    if (nl < 0) throw new AgentError("fatal", `Change set "${cs.file}" has no header line`);
    const header = JSON.parse(head.subarray(0, nl).toString("utf8")) as Record<string, unknown>;
    const extra = { repository: cs.repository, incrementKind: cs.incrementKind, sizeBytes: cs.sizeBytes, archives: cs.archives };
    yield Buffer.from(JSON.stringify({ ...header, ...extra }) + "\n");
    for await (const chunk of fh.createReadStream({ start: nl + 1, autoClose: false })) yield chunk as Buffer;
  } finally {
    await fh.close();
  }
}
