// GET /api/agent/v1/commands: run-now, cancel and restore commands waiting for the calling agent, and its jobs etag.
import { agentRoute } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { agentCommands } from "@/lib/data/agent-jobs";

export const dynamic = "force-dynamic";

export const GET = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  return Response.json(await agentCommands(agent.id), { headers: { "cache-control": "no-store" } });
});
