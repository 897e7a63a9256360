import { AppError } from "@/lib/errors";
import { agentRoute } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { ingestAgentChangeSet } from "@/lib/data/catalogue/agent-ingest";

/** A session's change set as NDJSON (header with `repository`, then entries); idempotent per (repository, time). */
export const POST = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  if (!req.body) throw new AppError("invalid", "Invalid change set: the body is empty");
  const r = await ingestAgentChangeSet(agent.id, req.body as unknown as AsyncIterable<Uint8Array>);
  return Response.json({ v: 1, ...r }, { status: r.created ? 201 : 200 });
});
