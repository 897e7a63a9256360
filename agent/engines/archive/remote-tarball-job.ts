// The tarball methods of an archive job whose host is reached over SSH, as one session result (the caller
// takes the lock and purges; see agent/tasks/run-archive.ts): partial when some targets failed, an error when
// no archive was made because they all failed. Closes the host's SFTP session at the end.
import { AgentError } from "@/agent/errors";
import type { ArchiveJob } from "@/lib/schemas/archive-job";
import type { EngineCallbacks, SessionResult } from "../types";
import type { Permissions } from "./permissions";
import { runRemoteTarballMethod, type RemoteTarHost } from "./remote-tarball";
import type { ArchiveContext, MethodOutcome } from "./tarball";

/** What one remote tarball run needs besides the job. */
export interface RemoteTarballRunOptions {
  now: Date;
  callbacks: EngineCallbacks;
  permissions: Permissions;
  host: RemoteTarHost;
}

/** Runs the job's tarball and tarball-incremental methods with tar on the host. */
export async function runRemoteTarballJob(job: ArchiveJob, o: RemoteTarballRunOptions): Promise<SessionResult & { outputs: string[] }> {
  const startedAt = new Date();
  const failures: string[] = [];
  const callbacks: EngineCallbacks = {
    ...o.callbacks,
    onItemError: (p, err) => {
      failures.push(err.message);
      o.callbacks.onItemError?.(p, err);
    },
  };
  const ctx: ArchiveContext = {
    repository: job.repository,
    prefix: job.prefix,
    now: o.now,
    callbacks,
    permissions: o.permissions,
    purgeDuplicates: job.purgeDuplicates,
    niceLevel: job.niceLevel,
  };
  const total: MethodOutcome = { outputs: [], errors: 0, members: 0, bytes: 0 };
  try {
    for (const method of job.methods) {
      if (method !== "tarball" && method !== "tarball-incremental") throw new AgentError("fatal", `Job "${job.name}" mixes method "${method}" with tarballs, which SSH hosts do not run together`);
      o.callbacks.onLog?.(`Using method "${method}".`);
      const incremental = method === "tarball-incremental" ? (job.incremental ?? { frequency: "weekly", value: 1 }) : undefined;
      const r = await runRemoteTarballMethod(ctx, { ...job.tarball!, incremental }, o.host).catch((err: unknown) => {
        if (o.callbacks.signal?.aborted) throw new AgentError("cancelled", `Archive job "${job.name}" was cancelled`, { cause: err });
        throw err;
      });
      total.outputs.push(...r.outputs);
      total.errors += r.errors;
      total.members += r.members;
      total.bytes += r.bytes;
    }
  } finally {
    o.host.sftp.close();
  }
  // Nothing made and something failed (a missing target, tar's error exit): the run failed, with the reasons.
  if (total.outputs.length === 0 && failures.length > 0) throw new AgentError("fatal", failures.join("; "));
  return {
    status: total.errors > 0 ? "partial" : "success",
    time: Math.floor(o.now.getTime() / 1000),
    startedAt,
    finishedAt: new Date(),
    stats: { sourceFiles: total.members, sourceBytes: 0, changedFiles: 0, newFiles: 0, deletedFiles: 0, incrementBytes: total.bytes, errors: total.errors },
    outputs: total.outputs,
  };
}
