// GET / PUT / DELETE /api/v1/jobs/{id}: one job (never its secrets); changes by admins and assigned operators.
import { apiRoute } from "@/lib/api/handler";
import { deleteJob, getJob, updateJob } from "@/lib/data/jobs";
import { apiCtx, jsonBody, withFieldErrors } from "../respond";

export const GET = apiRoute<{ id: string }>({}, async (_req, caller, { id }) => ({ job: await getJob(caller, id) }));

export const PUT = apiRoute<{ id: string }>({}, async (req, caller, { id }) =>
  withFieldErrors(async () => ({ job: await updateJob(caller, id, await jsonBody(req), apiCtx(req)) })),
);

export const DELETE = apiRoute<{ id: string }>({}, async (req, caller, { id }) => ({ deleted: await deleteJob(caller, id, apiCtx(req)) }));
