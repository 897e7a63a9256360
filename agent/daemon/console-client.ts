// HTTP client of the agent for the console's agent protocol (lib/schemas/agent-protocol.ts); every answer is
// parsed with the shared schemas. Unreachable consoles and 5xx answers are "retryable", other refusals "fatal".
import { z } from "zod";
import { AgentError } from "../errors";
import { enrolResponse, heartbeatResponse, type EnrolRequest, type HeartbeatRequest } from "@/lib/schemas/agent";
import {
  commandsResponse,
  hostKeyResponse,
  jobsResponse,
  runReportResponse,
  type HostKeyReport,
  type JobsResponse,
  type RunReport,
} from "@/lib/schemas/agent-protocol";
import type { IncrementRemoval } from "@/lib/schemas/catalogue";

interface RequestOptions {
  method: "GET" | "POST" | "PUT";
  token?: string;
  /** JSON body, or a byte stream sent as NDJSON. */
  body?: unknown;
  stream?: AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

async function request(url: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers };
  let body: BodyInit | undefined;
  if (o.stream) {
    headers["content-type"] = "application/x-ndjson";
    body = o.stream as unknown as BodyInit; // undici streams an async iterable (duplex "half")
  } else if (o.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(o.body);
  }
  try {
    return await fetch(url, {
      method: o.method,
      headers,
      body,
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
      ...(o.stream ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (err) {
    const why = (err as Error).cause ?? (err as Error).message;
    throw new AgentError("retryable", `Cannot reach the console at "${new URL(url).origin}": ${why}`, { cause: err });
  }
}

async function parsed<S extends z.ZodType>(res: Response, schema: S): Promise<z.infer<S>> {
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const msg = (json as { error?: { message?: string } } | null)?.error?.message ?? res.statusText;
    const kind = res.status >= 500 || res.status === 429 || res.status === 408 ? "retryable" : "fatal";
    throw new AgentError(kind, `The console refused the request (${res.status}): ${msg}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new AgentError("fatal", `The console sent an answer this agent does not understand: ${r.error.message}`);
  return r.data;
}

/** What `POST /increments` answers (the ingest result; only `v` is relied on). */
const incrementsAnswer = z.object({ v: z.literal(1) }).passthrough();

/** Talks to one console. */
export class ConsoleClient {
  constructor(readonly baseUrl: string) {}

  private url(p: string) {
    return new URL(p, this.baseUrl).href;
  }

  async enrol(req: EnrolRequest) {
    return parsed(await request(this.url("/api/agent/v1/enrol"), { method: "POST", body: req }), enrolResponse);
  }

  async heartbeat(token: string, req: HeartbeatRequest) {
    return parsed(await request(this.url("/api/agent/v1/heartbeat"), { method: "POST", body: req, token }), heartbeatResponse);
  }

  /** The agent's jobs; null when they did not change since `etag` (304). */
  async jobs(token: string, etag?: string): Promise<JobsResponse | null> {
    const res = await request(this.url("/api/agent/v1/jobs"), { method: "GET", token, headers: etag ? { "if-none-match": etag } : {} });
    if (res.status === 304) return null;
    return parsed(res, jobsResponse);
  }

  async commands(token: string) {
    return parsed(await request(this.url("/api/agent/v1/commands"), { method: "GET", token }), commandsResponse);
  }

  async putRun(token: string, runId: string, report: RunReport) {
    const url = this.url(`/api/agent/v1/runs/${encodeURIComponent(runId)}`);
    return parsed(await request(url, { method: "PUT", body: report, token }), runReportResponse);
  }

  /** Uploads one session's change set (NDJSON: upload header, then entries). */
  async postIncrements(token: string, ndjson: AsyncIterable<Uint8Array>) {
    return parsed(await request(this.url("/api/agent/v1/increments"), { method: "POST", stream: ndjson, token, timeoutMs: 600_000 }), incrementsAnswer);
  }

  async removeIncrements(token: string, req: IncrementRemoval) {
    return parsed(await request(this.url("/api/agent/v1/increments/remove"), { method: "POST", body: req, token }), incrementsAnswer);
  }

  async hostKey(token: string, req: HostKeyReport) {
    return parsed(await request(this.url("/api/agent/v1/host-keys"), { method: "POST", body: req, token }), hostKeyResponse);
  }
}
