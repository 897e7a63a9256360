// The agent's data plane: a node:http server the console calls with signed requests to read repositories
// (versions for catalogue import, one file, a folder as tar). Started by `strata-agent run`.
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import { verifySignature } from "@/lib/agent-client/sign";
import { EXPIRES_HEADER, SIGNATURE_HEADER } from "@/lib/schemas/data-plane";
import { HttpError, toHttpError } from "./http-error";
import { previewRoute, testConnectionRoute, type HostRouteContext, type HostRouteOptions } from "./host-routes";
import { fileRoute, treeRoute, versionsRoute, type RouteContext } from "./routes";

export interface DataPlaneOptions {
  /** host:port to listen on; port 0 picks a free one. */
  listen: string;
  /** Directories repositories must lie in. */
  roots: string[];
  /** The secret requests are signed with (null until the agent is enrolled: requests get 503). */
  secret: () => string | null;
  /** Address the console should use, when it differs from the listening one (a proxy, 0.0.0.0). */
  publicUrl?: string;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  /** Access to the fleet's hosts (test connection, selection preview); those routes answer 503 without it. */
  hosts?: HostRouteOptions;
}

export interface DataPlane {
  url: string;
  close(): Promise<void>;
}

/** Splits "host:port" ("[::1]:0", ":8080" = all interfaces). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m || Number(m[3]) > 65535) throw new Error(`Invalid listen address "${listen}": expected HOST:PORT, e.g. 127.0.0.1:0`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port: Number(m[3]) };
}

function sendError(res: http.ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  res.writeHead(err.status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code: err.code, message: err.message } }));
}

const ROUTES: Record<string, (ctx: RouteContext) => Promise<void>> = {
  "/v1/versions": versionsRoute,
  "/v1/file": fileRoute,
  "/v1/tree": treeRoute,
  "/v1/health": async ({ res }) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true })),
};

/** Signed POST routes (the body's SHA-256 is part of the signed query). */
const POST_ROUTES: Record<string, (ctx: HostRouteContext) => Promise<void>> = {
  "/v1/test-connection": testConnectionRoute,
  "/v1/preview": previewRoute,
};

async function handle(o: DataPlaneOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const ac = new AbortController();
  res.once("close", () => ac.abort());
  try {
    const url = new URL(req.url ?? "/", "http://agent.invalid");
    const secret = o.secret();
    if (!secret) throw new HttpError(503, "not_enrolled", "This agent is not enrolled yet");
    const why = verifySignature(secret, req.method ?? "GET", req.url ?? "/", req.headers[EXPIRES_HEADER] as string, req.headers[SIGNATURE_HEADER] as string);
    if (why) throw new HttpError(401, "unauthenticated", `Request refused: ${why}`);
    const post = POST_ROUTES[url.pathname];
    if (post) {
      if (req.method !== "POST") throw new HttpError(405, "method", `Method "${req.method}" is not allowed (use POST)`);
      return await post({ req, res, url, signal: ac.signal, hosts: o.hosts });
    }
    const route = ROUTES[url.pathname];
    if (!route) throw new HttpError(404, "not_found", `No route "${url.pathname}"`);
    if (req.method !== "GET") throw new HttpError(405, "method", `Method "${req.method}" is not allowed`);
    await route({ roots: o.roots, req, res, url, signal: ac.signal });
  } catch (err) {
    const e = toHttpError(err);
    if (e.status >= 500) o.log?.("data-plane.error", { url: req.url, error: e.message });
    sendError(res, e);
  }
}

/** Starts the data-plane server; resolves once it listens, with the URL to report to the console. */
export async function startDataPlane(o: DataPlaneOptions): Promise<DataPlane> {
  const { host, port } = parseListen(o.listen);
  const server = http.createServer((req, res) => void handle(o, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`Cannot listen on "${o.listen}": ${err.message}`, { cause: err })));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = host === "0.0.0.0" || host === "::" ? os.hostname() : addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = o.publicUrl ?? `http://${shown}:${addr.port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
