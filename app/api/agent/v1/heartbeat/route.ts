import { agentRoute, parseBody } from "@/lib/api/agent-route";
import { agentByToken, heartbeat } from "@/lib/data/agents";
import { heartbeatRequest, type HeartbeatResponse } from "@/lib/schemas/agent";

export const POST = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  await heartbeat(agent.id, await parseBody(req, heartbeatRequest));
  return { v: 1, serverTime: new Date().toISOString() } satisfies HeartbeatResponse;
});
