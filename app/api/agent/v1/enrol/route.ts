import { agentRoute, parseBody } from "@/lib/api/agent-route";
import { enrolAgent } from "@/lib/data/agents";
import { enrolRequest, type EnrolResponse } from "@/lib/schemas/agent";

export const POST = agentRoute(async (req) => {
  const body = await parseBody(req, enrolRequest);
  const res = await enrolAgent(body, { ip: req.headers.get("x-forwarded-for") });
  return { v: 1, ...res } satisfies EnrolResponse;
});
