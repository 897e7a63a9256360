// GET /api/agent/v1/jobs: the job definitions of the hosts assigned to the calling agent (with decrypted secrets);
// 304 when its If-None-Match is the current etag.
import { agentRoute } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { agentJobs } from "@/lib/data/agent-jobs";

export const dynamic = "force-dynamic";

export const GET = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  const jobs = await agentJobs(agent.id);
  const headers = { etag: jobs.etag, "cache-control": "no-store" };
  if (req.headers.get("if-none-match") === jobs.etag) return new Response(null, { status: 304, headers });
  return Response.json(jobs, { headers });
});
