// What an agent pulls over its authenticated channel: the job definitions of the hosts assigned to it (with
// decrypted secrets, only here), an etag over them, and the commands waiting for it (run now, cancel, restore).
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { decryptSecret } from "@/lib/crypto/secrets";
import { toHostConnection } from "@/lib/data/hosts";
import { jobDefinition, JOB_DEFINITION_VERSION, type JobDefinition } from "@/lib/schemas/job";
import { restoreParams, type AgentCommand, type AgentJob, type CommandsResponse, type HostConnection, type JobsResponse } from "@/lib/schemas/agent-protocol";

const hostSelect = { id: true, name: true, address: true, sshPort: true, sshUser: true, hostKeyFingerprint: true, transport: true } as const;
const jobSelect = {
  id: true, hostId: true, name: true, method: true, enabled: true, revision: true, sources: true, includes: true, excludes: true,
  schedule: true, retention: true, options: true, preCommand: true, postCommand: true, runMissed: true, overdueAfterHours: true,
  notify: true, secretsEnc: true,
} as const;

/** "mirror" for the mirror method, "archive" for every other one (the repository layout). */
export function repositoryFormat(method: string): "mirror" | "archive" {
  return method === "mirror" ? "mirror" : "archive";
}

async function agentRows(agentId: string) {
  const hosts = await db().host.findMany({ where: { agentId }, select: hostSelect, orderBy: { name: "asc" } });
  const jobs = await db().job.findMany({ where: { hostId: { in: hosts.map((h) => h.id) } }, select: jobSelect, orderBy: [{ hostId: "asc" }, { name: "asc" }] });
  return { hosts, jobs };
}

/** Stable over unchanged rows: hosts' connection fields and jobs' ids, revisions and secrets (sealed); not bookkeeping such as overdueNotifiedAt. */
function etagOf({ hosts, jobs }: Awaited<ReturnType<typeof agentRows>>): string {
  const h = createHash("sha256");
  h.update(JSON.stringify(hosts));
  h.update(JSON.stringify(jobs.map((j) => [j.id, j.hostId, j.name, j.revision, j.enabled, j.secretsEnc])));
  return `"${h.digest("hex").slice(0, 32)}"`;
}

/** The jobs etag of an agent (cheap enough for every command poll). */
export async function agentJobsEtag(agentId: string): Promise<string> {
  return etagOf(await agentRows(agentId));
}

function secretsOf(sealed: string | null): JobDefinition["secrets"] {
  if (!sealed) return undefined;
  try {
    const parsed = JSON.parse(decryptSecret(sealed)) as { password?: unknown };
    return typeof parsed.password === "string" ? { password: parsed.password } : {};
  } catch (err) {
    console.error(`Cannot decrypt the secrets of a job: ${(err as Error).message}`);
    return undefined;
  }
}

/** Every job of the hosts assigned to `agentId`, as the agent runs them; jobs whose stored row no longer parses are left out (and logged). */
export async function agentJobs(agentId: string): Promise<JobsResponse> {
  const rows = await agentRows(agentId);
  const hostName = new Map(rows.hosts.map((h) => [h.id, h.name]));
  const hosts: HostConnection[] = rows.hosts.map(toHostConnection);
  const jobs: AgentJob[] = [];
  for (const j of rows.jobs) {
    const parsed = jobDefinition.safeParse({
      v: JOB_DEFINITION_VERSION,
      id: j.id,
      hostId: j.hostId,
      name: j.name,
      method: j.method,
      enabled: j.enabled,
      revision: j.revision,
      sources: j.sources,
      includes: j.includes,
      excludes: j.excludes,
      schedule: j.schedule,
      retention: j.retention,
      options: j.options,
      preCommand: j.preCommand,
      postCommand: j.postCommand,
      runMissed: j.runMissed,
      overdueAfterHours: j.overdueAfterHours,
      notify: j.notify,
      secrets: secretsOf(j.secretsEnc),
    });
    if (!parsed.success) {
      console.error(`Job "${hostName.get(j.hostId)}/${j.name}" is left out of the agent's jobs: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      continue;
    }
    jobs.push({ definition: parsed.data, repository: `${hostName.get(j.hostId)}/${j.name}`, format: repositoryFormat(j.method) });
  }
  return { v: 1, etag: etagOf(rows), hosts, jobs };
}

/**
 * Commands waiting for `agentId`: queued manual runs of its jobs, running runs someone asked to stop, and queued
 * restores (repeated on every poll until the agent reports the run).
 */
export async function agentCommands(agentId: string): Promise<CommandsResponse> {
  const runs = await db().run.findMany({
    where: {
      OR: [
        { status: "queued", type: "backup", trigger: "manual", cancelRequestedAt: null, job: { host: { agentId } } },
        { status: "running", cancelRequestedAt: { not: null }, OR: [{ agentId }, { job: { host: { agentId } } }] },
        { status: "queued", type: "restore", cancelRequestedAt: null, agentId },
      ],
    },
    select: { id: true, jobId: true, status: true, type: true, params: true },
    orderBy: { queuedAt: "asc" },
    take: 100,
  });
  const commands: AgentCommand[] = [];
  for (const r of runs) {
    if (r.status === "running") commands.push({ kind: "cancel", runId: r.id });
    else if (r.type === "backup" && r.jobId) commands.push({ kind: "run", runId: r.id, jobId: r.jobId });
    else if (r.type === "restore") {
      const params = restoreParams.safeParse(r.params);
      if (params.success) commands.push({ kind: "restore", runId: r.id, params: params.data });
      else console.error(`Restore run ${r.id} has invalid parameters: ${params.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
  }
  return { v: 1, jobsEtag: await agentJobsEtag(agentId), commands };
}
