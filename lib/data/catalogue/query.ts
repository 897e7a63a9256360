// Query-string parsing for the catalogue API routes (400 with the zod reasons on bad parameters).
import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseQuery } from "@/lib/schemas/catalogue";

/** The request's query parsed with `schema`, or a 400 AppError. */
export function queryOf<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const r = parseQuery(req.url, schema);
  if (!r.ok) throw new AppError("invalid", `Invalid query: ${r.message}`);
  return r.data;
}
