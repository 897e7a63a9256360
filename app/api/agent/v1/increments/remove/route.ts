import { agentRoute, parseBody } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { removeAgentIncrements } from "@/lib/data/catalogue/agent-ingest";
import { incrementRemoval } from "@/lib/schemas/catalogue";

/** The agent's retention removed sessions of one of its repositories; the catalogue follows. */
export const POST = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  return { v: 1, ...(await removeAgentIncrements(agent.id, await parseBody(req, incrementRemoval))) };
});
