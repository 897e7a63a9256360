// A restore run commanded by the console: a mirror repository's path at a session time, written back to a
// directory on one of the agent's hosts (local or over SFTP) through a Target. Existing files are replaced only
// when the restore says `overwrite`; nothing else at the target is removed. Archive repositories are refused.
import path from "node:path";
import { AgentError } from "../errors";
import { openRepository, restoreTimeFor, restoreTo, statAt } from "../engines/mirror/index";
import { openHostTarget } from "../sources/target";
import type { HostConnection, RestoreParams } from "@/lib/schemas/agent-protocol";
import { TargetOutput } from "./target-output";
import type { RunOutcome, RunRecorder } from "./types";

/** Everything one restore run needs. */
export interface RestoreTask {
  runId: string;
  params: RestoreParams;
  host: HostConnection | undefined;
  repositoryRoots: string[];
  recorder: RunRecorder;
  signal: AbortSignal;
  stateDir: string;
  checkHostKey?(host: HostConnection, fingerprint: string): Promise<boolean>;
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
    const within = (a: string, b: string) => a === b || a.startsWith(b.endsWith("/") ? b : b + "/");
    if (task.host.local && (within(path.resolve(p.target), repository) || within(repository, path.resolve(p.target)))) {
      throw new AgentError("usage", `Cannot restore to "${p.target}": it is, holds or lies inside the repository "${repository}"`);
    }
    const repo = await openRepository(repository);
    const time = restoreTimeFor(repo, p.at);
    const sub = Buffer.from(p.path.replace(/^\/+|\/+$/g, ""));
    const top = await statAt(repo, sub, time);
    if (!top) throw new AgentError("usage", `Cannot restore "${p.path || "/"}": it does not exist at that time`);
    rec.log(`Restoring "${p.path || "/"}" as of ${new Date(time * 1000).toISOString()} to "${p.target}" on "${task.host.name}"`);
    // A directory becomes the target directory; anything else is written as the target path itself.
    const isDir = top.record.type === "dir";
    const ctx = { stateDir: task.stateDir, checkHostKey: task.checkHostKey, signal: task.signal };
    const target = await openHostTarget(task.host, isDir ? p.target : path.posix.dirname(p.target), ctx);
    const out = new TargetOutput(target, { overwrite: p.overwrite, onWarning: (w) => rec.log(`WARNING: ${w}`), name: isDir ? undefined : Buffer.from(path.posix.basename(p.target)) });
    let r;
    try {
      r = await restoreTo(repo, sub, time, out, {
        signal: task.signal,
        onLog: (l) => rec.log(l),
        onItemError: (file, err) => rec.log(`WARNING: cannot restore "${file}": ${err.message}`),
        onProgress: (pr) => rec.progress(pr),
      });
    } finally {
      await target.close().catch(() => undefined);
    }
    outcome = {
      status: r.status,
      stats: { restoredFiles: out.files, restoredBytes: out.bytes, errors: r.errors.length },
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
