// Wrapper for the agent protocol routes: parses the body with the shared zod schema, maps errors to JSON.
import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/api/handler";

/** Parses a JSON body with `schema` or throws a 400 AppError naming the bad fields. */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await req.json().catch(() => null));
  if (!parsed.success) throw new AppError("invalid", `Invalid request: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Runs an agent-protocol handler, turning thrown errors into JSON error responses. */
export function agentRoute(fn: (req: Request) => Promise<unknown>) {
  return async (req: Request) => {
    try {
      const out = await fn(req);
      return out instanceof Response ? out : Response.json(out);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
