// POST /api/v1/repositories/{id}/restore: queue a restore of a repository path back to a host (admins; operators
// on their hosts). Answers 202 with the run's id and page; the agent picks the run up and reports it like any run.
import { apiRoute } from "@/lib/api/handler";
import { createRestore } from "@/lib/data/restores";
import { apiCtx, jsonBody, withFieldErrors } from "../../../jobs/respond";

export const POST = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  const body = await jsonBody(req);
  return withFieldErrors(async () => Response.json(await createRestore(caller, id, body, apiCtx(req)), { status: 202 }));
});
