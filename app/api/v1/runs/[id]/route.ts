// GET /api/v1/runs/{id}: one run with its stored log (live: /api/v1/runs/{id}/events).
import { apiRoute } from "@/lib/api/handler";
import { getRun } from "@/lib/data/runs";

export const GET = apiRoute<{ id: string }>({}, async (_req, caller, { id }) => ({ run: await getRun(caller, id) }));
