"use server";
// Server actions of the job form's host checks: "Test connection" (each step as the agent saw it) and the
// include/exclude preview (what the rules select on the real host), both asked of the host's agent.
import { z } from "zod";
import { defineAction, type ActionState } from "@/lib/actions/define-action";
import { AgentRequestError, previewSelection, testConnection } from "@/lib/agent-client";
import { hostForAgentCall, pinTestedHostKey, recordHostKey } from "@/lib/data/hosts";
import { notifyHostKeyChanged } from "@/lib/notify/host-key";
import { AppError } from "@/lib/errors";
import type { SelectionPreviewResponse, TestConnectionResponse } from "@/lib/schemas/agent-protocol";
import { formToJobInput } from "./form-input";

const formFields = z.record(z.string(), z.unknown()).and(z.object({ hostId: z.string().uuid() }));

export type TestConnectionState = ActionState & { result?: TestConnectionResponse };
export type PreviewState = ActionState & { preview?: SelectionPreviewResponse };

/** Agent failures become messages that say which agent and what happened. */
function agentFailure(err: unknown): ActionState {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return { message: `The agent did not answer within ${AGENT_TIMEOUT_MS / 1000} s` };
  if (err instanceof AgentRequestError) {
    if (err.status === 0) return { message: err.message };
    return { message: `The agent could not do it: ${err.message}` };
  }
  throw err;
}

const PATH_RE = /^\//;
const AGENT_TIMEOUT_MS = 60_000;

export const testConnectionAction = defineAction({ schema: formFields }, async (caller, form, ctx) => {
  const { host, agent, agentId } = await hostForAgentCall(caller, form.hostId);
  const first = formToJobInput(form).sources[0];
  if (first !== undefined && !PATH_RE.test(first)) throw new AppError("invalid", `Source path "${first}" must be absolute`, { fieldErrors: { sources: ["Paths must be absolute (start with /)"] } });
  let result: TestConnectionResponse;
  try {
    result = await testConnection(agent, { v: 1, host, path: first }, { signal: AbortSignal.timeout(AGENT_TIMEOUT_MS) });
  } catch (err) {
    return agentFailure(err);
  }
  // First successful contact pins the key the host presented; a key other than the pinned one is recorded as
  // pending (shown on the host page, notified) exactly as when the agent meets it during a run.
  const fp = result.fingerprint;
  if (fp && !host.local && !host.hostKeyFingerprint && result.ok) await pinTestedHostKey(caller, host.id, fp, ctx);
  if (fp && !host.local && host.hostKeyFingerprint && fp !== host.hostKeyFingerprint) {
    const recorded = await recordHostKey(agentId, host.id, fp);
    if (recorded.newlyPending)
      void notifyHostKeyChanged(host.id, recorded.newlyPending.pinned, fp).catch((err) => console.error(`Cannot notify the host key change of host ${host.id}: ${(err as Error).message}`));
  }
  const state: TestConnectionState = { ok: result.ok, message: result.ok ? "Connection works" : "Connection failed", result };
  return state;
});

export const previewAction = defineAction({ schema: formFields }, async (caller, form) => {
  const input = formToJobInput(form);
  const sources = input.sources;
  if (sources.length === 0) return { message: "Enter at least one source path to preview", fieldErrors: { sources: ["Enter at least one source path"] } };
  const bad = sources.find((s) => !PATH_RE.test(s));
  if (bad) return { message: `Source path "${bad}" must be absolute`, fieldErrors: { sources: ["Paths must be absolute (start with /)"] } };
  const { host, agent } = await hostForAgentCall(caller, form.hostId);
  const includes = input.method === "mirror" ? input.includes : [];
  let preview: SelectionPreviewResponse;
  try {
    preview = await previewSelection(agent, { v: 1, host, sources, includes, excludes: input.excludes, limit: 200 }, { signal: AbortSignal.timeout(AGENT_TIMEOUT_MS) });
  } catch (err) {
    return agentFailure(err);
  }
  const state: PreviewState = { ok: true, preview };
  return state;
});
