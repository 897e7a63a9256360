// GET /api/v1/hosts/{id}/jobs (jobs of a visible host) and POST (admins; operators on their hosts).
import { apiRoute } from "@/lib/api/handler";
import { createJob, listJobs } from "@/lib/data/jobs";
import { apiCtx, jsonBody, withFieldErrors } from "../../../jobs/respond";

export const GET = apiRoute<{ id: string }>({}, async (_req, caller, { id }) => ({ jobs: await listJobs(caller, id) }));

export const POST = apiRoute<{ id: string }>({}, async (req, caller, { id }) =>
  withFieldErrors(async () => {
    const job = await createJob(caller, id, await jsonBody(req), apiCtx(req));
    return Response.json({ job }, { status: 201 });
  }),
);
