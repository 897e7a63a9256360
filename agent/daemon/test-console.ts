// A small console for daemon tests: speaks the agent protocol (every body parsed with the shared schemas),
// keeps runs, log lines, change sets and removals in memory, and can go "down" (connections dropped).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { agentCommand, FINAL_STATUSES, hostKeyReport, runReport, type AgentCommand, type JobsResponse, type RunReport } from "@/lib/schemas/agent-protocol";
import { incrementRemoval, incrementUploadHeader, type IncrementUploadHeader } from "@/lib/schemas/catalogue";
import { changeSetEntry, type ChangeSetEntry } from "@/lib/schemas/change-set";

/** A run as the test console holds it. */
export interface ConsoleRun {
  report: RunReport;
  log: string[];
  /** Every status received, in order. */
  statuses: string[];
}

export class TestConsole {
  url = "";
  token = "agent-token-for-tests";
  down = false;
  jobs: JobsResponse = { v: 1, etag: "e0", hosts: [], jobs: [] };
  commands: AgentCommand[] = [];
  runs = new Map<string, ConsoleRun>();
  changeSets: { header: IncrementUploadHeader; entries: ChangeSetEntry[] }[] = [];
  removals: { repository: string; times: number[] }[] = [];
  hostKeys = new Map<string, string>();
  cancelRequested = new Set<string>();
  /** Requests ("METHOD /path") whose next answer is lost: handled, then the connection is dropped unanswered. */
  loseAnswerTo = new Set<string>();
  /** "METHOD /path" requests answered 422 (refused for good), every time. */
  refuse = new Set<string>();
  /** Every request "METHOD path" received while up. */
  requests: string[] = [];
  private server: Server | undefined;
  private waiters: (() => void)[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Resolves when `test` holds (checked after each request), or rejects after `ms`. */
  async until(test: () => boolean, ms = 20_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  setJobs(jobs: Omit<JobsResponse, "v" | "etag">, etag: string): void {
    this.jobs = { v: 1, etag, ...jobs };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body?: unknown) => {
      if (this.loseAnswerTo.delete(`${req.method} ${url.pathname}`)) {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
      for (const w of this.waiters.splice(0)) w();
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { error: { message: "bad token" } });
    if (this.refuse.has(`${req.method} ${url.pathname}`)) return send(422, { error: { message: "refused by the test" } });
    const body = await readBody(req);
    try {
      const p = url.pathname;
      if (req.method === "POST" && p === "/api/agent/v1/heartbeat") return send(200, { v: 1, serverTime: new Date().toISOString() });
      if (req.method === "GET" && p === "/api/agent/v1/jobs") {
        if (req.headers["if-none-match"] === this.jobs.etag) return send(304);
        return send(200, this.jobs);
      }
      if (req.method === "GET" && p === "/api/agent/v1/commands") {
        return send(200, { v: 1, jobsEtag: this.jobs.etag, commands: this.commands.map((c) => agentCommand.parse(c)) });
      }
      const run = /^\/api\/agent\/v1\/runs\/([0-9a-f-]{36})$/.exec(p);
      if (req.method === "PUT" && run) return send(200, this.putRun(run[1], runReport.parse(JSON.parse(body))));
      if (req.method === "POST" && p === "/api/agent/v1/increments") {
        const lines = body.split("\n").filter(Boolean).map((l) => JSON.parse(l));
        this.changeSets.push({ header: incrementUploadHeader.parse(lines[0]), entries: lines.slice(1).map((l) => changeSetEntry.parse(l)) });
        return send(201, { v: 1, created: true });
      }
      if (req.method === "POST" && p === "/api/agent/v1/increments/remove") {
        const r = incrementRemoval.parse(JSON.parse(body));
        this.removals.push({ repository: r.repository, times: r.times });
        return send(200, { v: 1, removed: r.times.length });
      }
      if (req.method === "POST" && p === "/api/agent/v1/host-keys") {
        const r = hostKeyReport.parse(JSON.parse(body));
        const pinned = this.hostKeys.get(r.hostId);
        if (!pinned) this.hostKeys.set(r.hostId, r.fingerprint);
        return send(200, { v: 1, result: !pinned || pinned === r.fingerprint ? "pinned" : "mismatch", pinned: pinned ?? r.fingerprint });
      }
      send(404, { error: { message: `no route ${req.method} ${p}` } });
    } catch (err) {
      send(400, { error: { message: (err as Error).message } });
    }
  }

  /** The contract: log chunks append only at the right offset; a final run never changes. */
  private putRun(id: string, r: RunReport) {
    const cur = this.runs.get(id);
    if (cur && FINAL_STATUSES.includes(cur.report.status)) return { v: 1, logLines: cur.log.length, cancel: false };
    const run = cur ?? { report: r, log: [], statuses: [] };
    if (r.log && r.logOffset === run.log.length) run.log.push(...r.log);
    const { log: _l, logOffset: _o, ...rest } = r;
    run.report = { ...run.report, ...rest };
    run.statuses.push(r.status);
    this.runs.set(id, run);
    if (FINAL_STATUSES.includes(r.status)) this.commands = this.commands.filter((c) => c.runId !== id);
    return { v: 1, logLines: run.log.length, cancel: this.cancelRequested.has(id) };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
