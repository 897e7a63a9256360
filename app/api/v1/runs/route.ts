// GET /api/v1/runs: recent runs the caller may see, filtered by `hostId` and `status`, newest first.
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { listRuns } from "@/lib/data/runs";
import { runStatus } from "@/lib/schemas/agent-protocol";

const query = z.object({
  hostId: z.string().uuid("hostId must be a host id").optional(),
  status: runStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const GET = apiRoute({}, async (req, caller) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new AppError("invalid", `Invalid query: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return { runs: await listRuns(caller, parsed.data) };
});
