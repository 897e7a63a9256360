// GET /api/v1/jobs/{id}/runs: the job's runs, newest first. POST: run the job now (admins; operators on their
// hosts); 409 with `runId` while a run of the job is queued or running (a queued manual run its agent never picked
// up — agent offline, or queued over 10 minutes — is cancelled and replaced instead).
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { activeRunId, listJobRuns, runNow } from "@/lib/data/runs";
import { apiCtx } from "../../respond";

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  const limit = Number(new URL(req.url).searchParams.get("limit") ?? 50) || 50;
  return { runs: await listJobRuns(caller, id, limit) };
});

export const POST = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  try {
    return Response.json({ run: await runNow(caller, id, apiCtx(req)) }, { status: 201 });
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "conflict") throw err;
    const runId = await activeRunId(id);
    return Response.json({ error: { code: err.code, message: err.message }, runId }, { status: 409 });
  }
});
