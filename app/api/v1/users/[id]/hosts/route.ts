// GET/PUT /api/v1/users/{id}/hosts: the hosts an operator or viewer may see (admins only; PUT replaces the
// set, given host ids or names, and is audited).
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { assignHostsByRef, userHosts } from "@/lib/data/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Body of PUT: every host the user may see afterwards (ids or names; empty = none). */
const userHostsBody = z.object({ hosts: z.array(z.string().trim().min(1).max(255)).max(10_000) }).strict();

export const GET = apiRoute<{ id: string }>({ roles: ["admin"] }, async (_req, caller, { id }) => userHosts(caller, id));

export const PUT = apiRoute<{ id: string }>({ roles: ["admin"] }, async (req, caller, { id }) => {
  const parsed = userHostsBody.safeParse(await req.json().catch(() => null));
  if (!parsed.success) {
    throw new AppError("invalid", `Invalid host assignment: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`);
  }
  const ip = req.headers.get("x-forwarded-for")?.split(",")[0].trim() ?? null;
  return assignHostsByRef(caller, id, parsed.data.hosts, { ip });
});
