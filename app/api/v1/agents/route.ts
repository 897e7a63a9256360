import { apiRoute } from "@/lib/api/handler";
import { listAgents } from "@/lib/data/agents";

export const GET = apiRoute({ roles: ["admin"] }, async (_req, caller) => {
  const agents = await listAgents(caller);
  return { agents: agents.map((a) => ({ id: a.id, name: a.name, version: a.version, hostname: a.hostname, lastSeenAt: a.lastSeenAt, online: a.online })) };
});
