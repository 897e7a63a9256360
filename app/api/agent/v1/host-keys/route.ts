// POST /api/agent/v1/host-keys: an agent reports the key a host presented; first contact pins it, a different
// key is recorded as pending and answered "mismatch" (the agent must not connect) until an admin accepts it.
import { agentRoute, parseBody } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { recordHostKey } from "@/lib/data/hosts";
import { hostKeyReport } from "@/lib/schemas/agent-protocol";

export const POST = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  const report = await parseBody(req, hostKeyReport);
  return recordHostKey(agent.id, report.hostId, report.fingerprint);
});
