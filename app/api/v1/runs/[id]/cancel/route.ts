// POST /api/v1/runs/{id}/cancel: stop a run (a queued one at once; a running one when its agent sees the request).
import { apiRoute } from "@/lib/api/handler";
import { cancelRun } from "@/lib/data/runs";
import { apiCtx } from "../../../jobs/respond";

export const POST = apiRoute<{ id: string }>({}, async (req, caller, { id }) => ({ run: await cancelRun(caller, id, apiCtx(req)) }));
