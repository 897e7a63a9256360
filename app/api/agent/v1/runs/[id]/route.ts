// PUT /api/agent/v1/runs/{id}: the agent's idempotent run report; a run that becomes final sends its notifications
// after the answer (a notification failure never fails the report).
import { after } from "next/server";
import { agentRoute, parseBody } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { reportRun } from "@/lib/data/runs";
import { notifyRunFinished } from "@/lib/notify/run-finished";
import { runReport } from "@/lib/schemas/agent-protocol";

export async function PUT(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return agentRoute(async (r) => {
    const agent = await agentByToken(r.headers.get("authorization"));
    const outcome = await reportRun(agent.id, id, await parseBody(r, runReport));
    if (outcome.becameFinal) scheduleNotification(id);
    return outcome.response;
  })(req);
}

function scheduleNotification(runId: string) {
  const send = () => notifyRunFinished(runId).then(() => undefined, (err) => console.error(`Cannot notify run ${runId}: ${(err as Error).message}`));
  try {
    after(send);
  } catch {
    void send();
  }
}
