// A restore run commanded by the console: a mirror repository's path at a session time, written to a directory
// on a host read as local paths. Archive repositories and SSH hosts are refused with a clear reason for now.
import path from "node:path";
import { AgentError } from "../errors";
import { openRepository, restoreTimeFor, restoreToDirectory } from "../engines/mirror/index";
import type { HostConnection, RestoreParams } from "@/lib/schemas/agent-protocol";
import type { RunOutcome, RunRecorder } from "./types";

/** Everything one restore run needs. */
export interface RestoreTask {
  runId: string;
  params: RestoreParams;
  host: HostConnection | undefined;
  repositoryRoots: string[];
  recorder: RunRecorder;
  signal: AbortSignal;
}

/** The repository's absolute path, which must lie inside one of the agent's repository roots. */
function confinedRepository(roots: readonly string[], repositoryPath: string): string {
  const full = path.resolve(path.resolve(roots[0] ?? "."), repositoryPath);
  const inside = roots.some((r) => full.startsWith(path.resolve(r) + path.sep));
  if (!inside) throw new AgentError("usage", `Repository "${repositoryPath}" is not under this agent's repository roots`);
  return full;
}

/** Runs the restore and finishes its report; resolves to the outcome (never rejects). */
export async function runRestoreTask(task: RestoreTask): Promise<RunOutcome> {
  const { params: p, recorder: rec } = task;
  let outcome: RunOutcome;
  try {
    const repository = confinedRepository(task.repositoryRoots, p.repositoryPath);
    await rec.update({ status: "running", startedAt: new Date().toISOString(), repository, format: p.format });
    if (!task.host) throw new AgentError("usage", `Host "${p.hostId}" is not one of this agent's hosts`);
    if (p.format !== "mirror") throw new AgentError("usage", "Restoring from archive repositories through the console is not supported yet");
    if (!task.host.local) throw new AgentError("usage", `Restoring to SSH host "${task.host.name}" is not supported yet`);
    const repo = await openRepository(repository);
    const time = restoreTimeFor(repo, p.at);
    rec.log(`Restoring "${p.path || "/"}" as of ${new Date(time * 1000).toISOString()} to "${p.target}" on "${task.host.name}"`);
    const r = await restoreToDirectory(repo, Buffer.from(p.path.replace(/^\/+|\/+$/g, "")), time, p.target, {
      force: p.overwrite,
      callbacks: {
        signal: task.signal,
        onLog: (l) => rec.log(l),
        onItemError: (file, err) => rec.log(`WARNING: cannot restore "${file}": ${err.message}`),
        onProgress: (pr) => rec.progress(pr),
      },
    });
    const files = r.entries;
    outcome = {
      status: r.status,
      stats: { restoredFiles: files, restoredBytes: r.bytes, errors: r.errors.length },
      ...(r.status === "partial" ? { reason: `${r.errors.length} item(s) could not be restored` } : {}),
    };
  } catch (err) {
    const message = (err as Error).message;
    outcome = task.signal.aborted || (err instanceof AgentError && err.kind === "cancelled") ? { status: "cancelled", reason: message } : { status: "failed", reason: message };
    rec.log(outcome.reason!);
  }
  await rec.finish(outcome);
  return outcome;
}
