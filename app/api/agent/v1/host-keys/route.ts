// POST /api/agent/v1/host-keys: an agent reports the key a host presented; first contact pins it, a different
// key is recorded as pending and answered "mismatch" (the agent must not connect) until an admin accepts it.
// A newly pending key is notified (host-key.changed) after the answer.
import { after } from "next/server";
import { agentRoute, parseBody } from "@/lib/api/agent-route";
import { agentByToken } from "@/lib/data/agents";
import { recordHostKey } from "@/lib/data/hosts";
import { notifyHostKeyChanged } from "@/lib/notify/host-key";
import { hostKeyReport, type HostKeyResponse } from "@/lib/schemas/agent-protocol";

export const POST = agentRoute(async (req) => {
  const agent = await agentByToken(req.headers.get("authorization"));
  const report = await parseBody(req, hostKeyReport);
  const { newlyPending, ...response } = await recordHostKey(agent.id, report.hostId, report.fingerprint);
  if (newlyPending) {
    const send = () =>
      notifyHostKeyChanged(report.hostId, newlyPending.pinned, report.fingerprint).then(
        () => undefined,
        (err) => console.error(`Cannot notify the host key change of host ${report.hostId}: ${(err as Error).message}`),
      );
    try {
      after(send);
    } catch {
      void send(); // outside a request scope (tests)
    }
  }
  return response satisfies HostKeyResponse;
});
