// Wrapper for /api/v1 route handlers: Bearer or session auth, role check, JSON errors with the right status.
import { apiCaller, requireRole, type Caller } from "@/lib/auth/caller";
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";

/** JSON error body used by every API route. */
export function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/** Maps a thrown value to a JSON error response (unexpected errors are logged, not leaked). */
export function errorResponse(err: unknown): Response {
  if (err instanceof AppError) return jsonError(err.status, err.code, err.message);
  console.error(err);
  return jsonError(500, "internal", "Internal error");
}

type Handler<P> = (req: Request, caller: Caller, params: P) => Promise<Response | unknown>;

/** Wraps an API handler: 401 without a valid caller, 403 without the role; plain values become JSON. */
export function apiRoute<P = Record<string, string>>(opts: { roles?: Role[] }, fn: Handler<P>) {
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const caller = await apiCaller(req);
      if (!caller) return jsonError(401, "unauthenticated", "Sign in or send a valid Bearer token");
      if (opts.roles) requireRole(caller, ...opts.roles);
      const out = await fn(req, caller, await ctx.params);
      return out instanceof Response ? out : Response.json(out, { headers: { "cache-control": "no-store" } });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
