// Test fixtures: a local host and job definitions in the shape the console sends (parsed with the shared schemas).
import { randomUUID } from "node:crypto";
import { agentJob, hostConnection, type AgentJob, type HostConnection } from "@/lib/schemas/agent-protocol";
import type { RunSpool } from "../daemon/run-spool";

/** A host of this agent's own machine (read as local paths). */
export function localHost(name = "web1"): HostConnection {
  return hostConnection.parse({ id: randomUUID(), name, address: "127.0.0.1", port: 22, user: "root", hostKeyFingerprint: null, local: true });
}

/** A mirror job on `host` (every field overridable; `definition` fields merge). */
export function mirrorJob(host: HostConnection, def: Record<string, unknown> = {}, repository?: string): AgentJob {
  const id = randomUUID();
  return agentJob.parse({
    format: "mirror",
    repository: repository ?? `${host.name}/${String(def.name ?? "files")}`,
    definition: {
      v: 1, id, hostId: host.id, name: "files", enabled: true, revision: 1, method: "mirror", options: {},
      sources: ["/nonexistent"], includes: [], excludes: [], schedule: "0 2 * * *", retention: {},
      preCommand: null, postCommand: null, runMissed: false, overdueAfterHours: 36,
      notify: { emails: [], onFailure: true, onSuccess: false, onOverdue: true },
      ...def,
    },
  });
}

/** A queued manual run of `type` in the spool (as the daemon makes one before a task starts); its id. */
export async function queueRun(spool: RunSpool, jobId: string | null, type: "backup" | "restore" = "backup"): Promise<string> {
  const runId = randomUUID();
  await spool.create(runId, { v: 1, jobId, type, trigger: "manual", status: "queued", queuedAt: new Date().toISOString() });
  return runId;
}
