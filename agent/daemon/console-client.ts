// HTTP client of the agent for the console's agent protocol; every answer is parsed with the shared schemas.
import type { z } from "zod";
import { AgentError } from "../errors";
import { enrolResponse, heartbeatResponse, type EnrolRequest, type HeartbeatRequest } from "@/lib/schemas/agent";

async function post<S extends z.ZodType>(url: string, body: unknown, schema: S, token?: string): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new AgentError("retryable", `Cannot reach the console at "${new URL(url).origin}": ${(err as Error).cause ?? (err as Error).message}`, { cause: err });
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const msg = (json as { error?: { message?: string } } | null)?.error?.message ?? res.statusText;
    throw new AgentError(res.status >= 500 ? "retryable" : "fatal", `The console refused the request (${res.status}): ${msg}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AgentError("fatal", `The console sent an answer this agent does not understand: ${parsed.error.message}`);
  return parsed.data;
}

/** Talks to one console. */
export class ConsoleClient {
  constructor(readonly baseUrl: string) {}

  enrol(req: EnrolRequest) {
    return post(new URL("/api/agent/v1/enrol", this.baseUrl).href, req, enrolResponse);
  }

  heartbeat(token: string, req: HeartbeatRequest) {
    return post(new URL("/api/agent/v1/heartbeat", this.baseUrl).href, req, heartbeatResponse, token);
  }
}
