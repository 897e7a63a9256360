// Data-plane POST routes about hosts, for the job form: /v1/test-connection and /v1/preview. The JSON body is
// bound to the signature by its SHA-256 in the signed query (`sha256=`), and parsed with the shared contract.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { previewSelection, testHostConnection } from "@/agent/sources/host-check";
import type { OpenSourceContext } from "@/agent/sources/open";
import { selectionPreviewRequest, testConnectionRequest } from "@/lib/schemas/agent-protocol";
import { BODY_HASH_PARAM, bodyHash } from "@/lib/agent-client/sign";
import { HttpError } from "./http-error";

/** What host routes need from the daemon: its state directory (the SSH key) and how it pins host keys. */
export type HostRouteOptions = Pick<OpenSourceContext, "stateDir" | "checkHostKey">;

export interface HostRouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  signal: AbortSignal;
  hosts?: HostRouteOptions;
}

const MAX_BODY = 256 * 1024;

/** Reads the request body (bounded) and checks it against the signed hash. */
async function readBody(ctx: HostRouteContext): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of ctx.req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, "too_large", `Request body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  const body = Buffer.concat(chunks);
  const want = ctx.url.searchParams.get(BODY_HASH_PARAM);
  if (!want) throw new HttpError(401, "unauthenticated", `Request refused: the body hash "${BODY_HASH_PARAM}" is not signed`);
  if (bodyHash(body) !== want) throw new HttpError(401, "unauthenticated", "Request refused: the body does not match its signed hash");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid", "Invalid request: the body is not JSON");
  }
}

async function parseBody<S extends z.ZodTypeAny>(ctx: HostRouteContext, schema: S): Promise<z.infer<S>> {
  const r = schema.safeParse(await readBody(ctx));
  if (r.success) return r.data;
  throw new HttpError(400, "invalid", `Invalid request: ${r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`);
}

function hostOptions(ctx: HostRouteContext): HostRouteOptions {
  if (!ctx.hosts) throw new HttpError(503, "unavailable", "This agent was started without host access (no state directory for its SSH key)");
  return ctx.hosts;
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** POST /v1/test-connection: each step with its result and time; 200 even when a step failed. */
export async function testConnectionRoute(ctx: HostRouteContext): Promise<void> {
  const body = await parseBody(ctx, testConnectionRequest);
  const o = hostOptions(ctx);
  sendJson(ctx.res, await testHostConnection(body.host, body.path, { stateDir: o.stateDir, checkHostKey: o.checkHostKey, signal: ctx.signal, timeoutMs: 15_000 }));
}

/** POST /v1/preview: the first `limit` entries the job's selection takes from the host; 422 when the host cannot be read. */
export async function previewRoute(ctx: HostRouteContext): Promise<void> {
  const body = await parseBody(ctx, selectionPreviewRequest);
  const o = hostOptions(ctx);
  let result;
  try {
    result = await previewSelection(body, { ...o, signal: ctx.signal, timeoutMs: 15_000 });
  } catch (err) {
    throw new HttpError(422, "host", (err as Error).message, { cause: err });
  }
  sendJson(ctx.res, result);
}
