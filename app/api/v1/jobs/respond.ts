// Shared bits of the hosts and jobs API routes: JSON bodies, the client address, errors with their field errors.
import { AppError } from "@/lib/errors";
import type { Ctx } from "@/lib/data/users";

/** The request's JSON body; 400 when it is not JSON. */
export async function jsonBody(req: Request): Promise<unknown> {
  const body = await req.json().catch(() => undefined);
  if (body === undefined) throw new AppError("invalid", "Send a JSON body");
  return body;
}

/** Audit context of an API request. */
export function apiCtx(req: Request): Ctx {
  return { ip: req.headers.get("x-forwarded-for")?.split(",")[0].trim() || null };
}

/** Runs `fn`; a validation failure becomes 400/409 with `error.fieldErrors` (keys as in the job schema paths). */
export async function withFieldErrors<T>(fn: () => Promise<T>): Promise<T | Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.fieldErrors)
      return Response.json({ error: { code: err.code, message: err.message, fieldErrors: err.fieldErrors } }, { status: err.status });
    throw err;
  }
}
