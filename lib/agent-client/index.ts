// The console's client for an agent's data plane: signed requests, clear errors, and the three reads
// (versions as NDJSON for catalogue import, one file's bytes, a directory as a tar stream).
import { decryptSecret } from "@/lib/crypto/secrets";
import { changeSetEntry, changeSetHeader, type ChangeSetEntry, type ChangeSetHeader } from "@/lib/schemas/change-set";
import { EXPIRES_HEADER, SIGNATURE_HEADER, SIGNATURE_TTL_SECONDS, dataPlaneError } from "@/lib/schemas/data-plane";
import {
  selectionPreviewRequest,
  selectionPreviewResponse,
  testConnectionRequest,
  testConnectionResponse,
  type SelectionPreviewResponse,
  type TestConnectionResponse,
} from "@/lib/schemas/agent-protocol";
import type { z } from "zod";
import { BODY_HASH_PARAM, bodyHash, signRequest } from "./sign";

export { signRequest, verifySignature, canonicalRequest } from "./sign";

/** What the client needs of an Agent row (name only for messages). */
export interface AgentTarget {
  url: string | null;
  secretEnc: string;
  name?: string;
}

/** A data-plane request that failed: `status` is the agent's HTTP status, 0 when it could not be reached. */
export class AgentRequestError extends Error {
  constructor(message: string, readonly status: number, readonly code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AgentRequestError";
  }
}

export type Query = Record<string, string | number | undefined>;

const NET_CAUSES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ETIMEDOUT: "timed out",
  UND_ERR_CONNECT_TIMEOUT: "timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
};

function netCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && NET_CAUSES[cause.code]) return NET_CAUSES[cause.code];
  return cause?.message ?? (err as Error).message;
}

/** Sends a signed request to the agent; resolves only with a 2xx response, else throws AgentRequestError. */
export async function agentFetch(
  agent: AgentTarget,
  method: string,
  path: string,
  query: Query = {},
  init: { signal?: AbortSignal; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const label = `agent${agent.name ? ` "${agent.name}"` : ""}`;
  if (!agent.url) throw new AgentRequestError(`Cannot reach ${label}: it has not reported a data-plane address yet`, 0, "no_url");
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  const pathWithQuery = qs ? `${path}?${qs}` : path;
  const expires = Math.floor(Date.now() / 1000) + SIGNATURE_TTL_SECONDS;
  let secret: string;
  try {
    secret = decryptSecret(agent.secretEnc);
  } catch (err) {
    throw new AgentRequestError(`Cannot sign a request to ${label}: its secret cannot be decrypted`, 0, "secret", { cause: err });
  }
  const headers = { ...init.headers, [SIGNATURE_HEADER]: signRequest(secret, method, pathWithQuery, expires), [EXPIRES_HEADER]: String(expires) };
  let res: Response;
  try {
    res = await fetch(new URL(pathWithQuery, agent.url), { method, headers, signal: init.signal, body: init.body });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new AgentRequestError(`Cannot reach ${label} at "${agent.url}": ${netCause(err)}`, 0, "unreachable", { cause: err });
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => "");
  let message = text.slice(0, 500) || res.statusText;
  let code = "agent_error";
  try {
    const body = dataPlaneError.parse(JSON.parse(text));
    ({ message, code } = body.error);
  } catch {
    // not our JSON: keep the raw text
  }
  throw new AgentRequestError(message, res.status, code);
}

/** Options of fetchFile: `at` is an increment time (epoch seconds); `range` a byte range. */
export interface FileRequest {
  repoPath: string;
  format: "mirror" | "archive";
  path: string;
  at: number;
  archive?: string | null;
  range?: { offset: number; length: number };
}

/** One file's bytes as they were at `at` (the body streams them). */
export function fetchFile(agent: AgentTarget, r: FileRequest, init: { signal?: AbortSignal } = {}): Promise<Response> {
  return agentFetch(
    agent,
    "GET",
    "/v1/file",
    { repo: r.repoPath, format: r.format, path: r.path, at: r.at, archive: r.archive ?? undefined, offset: r.range?.offset, length: r.range?.length },
    init,
  );
}

/** Options of fetchTree: `prefix` is the folder name entries are put under. */
export interface TreeRequest {
  repoPath: string;
  format: "mirror" | "archive";
  path: string;
  at: number;
  prefix?: string;
  /** Send hard links as full files (zip has no hard links). */
  copyHardLinks?: boolean;
}

/** A directory as it was at `at`: the body is a tar stream (built on the agent, one file at a time). */
export function fetchTree(agent: AgentTarget, r: TreeRequest, init: { signal?: AbortSignal } = {}): Promise<Response> {
  return agentFetch(agent, "GET", "/v1/tree", { repo: r.repoPath, format: r.format, path: r.path, at: r.at, prefix: r.prefix, hardLinks: r.copyHardLinks ? "copy" : undefined }, init);
}

/** Splits a byte stream into text lines. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line) yield line;
    }
  }
  buf += decoder.decode();
  if (buf) yield buf;
}

/**
 * Every session of a repository, oldest first: a header (time, previous time, format) followed by its
 * new/changed/deleted entries. Throws if the agent reports an error or the stream ends early.
 */
export async function* streamVersions(
  agent: AgentTarget,
  r: { repoPath: string; format: "mirror" | "archive" },
  init: { signal?: AbortSignal } = {},
): AsyncGenerator<ChangeSetHeader | ChangeSetEntry> {
  const res = await agentFetch(agent, "GET", "/v1/versions", { repo: r.repoPath, format: r.format }, init);
  if (!res.body) throw new AgentRequestError(`Cannot read versions of "${r.repoPath}": empty answer`, res.status, "empty");
  let ended = false;
  let n = 0;
  for await (const line of lines(res.body)) {
    n++;
    const obj = JSON.parse(line) as Record<string, unknown>;
    if (obj.kind === "end") {
      ended = true;
      continue;
    }
    if ("error" in obj) {
      const e = dataPlaneError.parse(obj).error;
      throw new AgentRequestError(`Cannot read versions of "${r.repoPath}": ${e.message}`, 500, e.code);
    }
    const parsed = obj.kind === "header" ? changeSetHeader.safeParse(obj) : changeSetEntry.safeParse(obj);
    if (!parsed.success) throw new AgentRequestError(`Cannot read versions of "${r.repoPath}": line ${n} is invalid: ${parsed.error.message}`, 502, "invalid");
    yield parsed.data;
  }
  if (!ended) throw new AgentRequestError(`Cannot read versions of "${r.repoPath}": the agent's answer ended early`, 502, "truncated");
}

/** A signed POST of a JSON body (its SHA-256 rides in the signed query); the answer is parsed with `schema`. */
export async function agentPostJson<S extends z.ZodTypeAny>(agent: AgentTarget, path: string, body: unknown, schema: S, init: { signal?: AbortSignal } = {}): Promise<z.infer<S>> {
  const text = JSON.stringify(body);
  const res = await agentFetch(agent, "POST", path, { [BODY_HASH_PARAM]: bodyHash(text) }, { ...init, body: text, headers: { "content-type": "application/json" } });
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new AgentRequestError(`The answer of agent${agent.name ? ` "${agent.name}"` : ""} to ${path} is invalid`, 502, "invalid");
  return parsed.data;
}

/** Asks the agent to test an SSH host step by step (`rdiff-backup --test-server`). */
export function testConnection(agent: AgentTarget, req: z.input<typeof testConnectionRequest>, init: { signal?: AbortSignal } = {}): Promise<TestConnectionResponse> {
  return agentPostJson(agent, "/v1/test-connection", testConnectionRequest.parse(req), testConnectionResponse, init);
}

/** Asks the agent which entries a mirror job's include/exclude rules select on its host. */
export function previewSelection(agent: AgentTarget, req: z.input<typeof selectionPreviewRequest>, init: { signal?: AbortSignal } = {}): Promise<SelectionPreviewResponse> {
  return agentPostJson(agent, "/v1/preview", selectionPreviewRequest.parse(req), selectionPreviewResponse, init);
}
