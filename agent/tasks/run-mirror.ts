// The mirror method of a backup run: open the host's source, one rdiff-backup session into the job's
// repository (change set written beside the run's report), then retention (apply-retention.ts).
import { AgentError } from "../errors";
import { backupSession } from "../engines/mirror/index";
import { openHostSource } from "../sources/open";
import type { SessionResult } from "../engines/types";
import { mirrorSelection } from "./mirror-selection";
import type { BackupTask } from "./types";

/** Runs the session; resolves to its result. Throws AgentError on session failures (cancel included). */
export async function runMirrorSession(task: BackupTask, repository: string): Promise<SessionResult> {
  const def = task.job.definition;
  const { root, rules } = mirrorSelection(def.sources, def.includes, def.excludes);
  if (def.sources.length > 1) task.recorder.log(`Sources ${def.sources.join(", ")}: backed up from "${root}" with each source included`);
  const source = await openHostSource(task.host, root, { stateDir: task.stateDir, checkHostKey: task.checkHostKey, signal: task.signal });
  try {
    const result = await backupSession({
      source,
      repo: repository,
      selection: rules,
      currentTime: Math.floor((task.now?.() ?? new Date()).getTime() / 1000),
      changeSetFile: task.recorder.changeSetPath,
      callbacks: {
        signal: task.signal,
        onLog: (line) => task.recorder.log(line),
        onItemError: (p, err) => task.recorder.log(`WARNING: cannot back up "${p}": ${err.message}`),
        onProgress: (p) => task.recorder.progress(p),
      },
    });
    await task.recorder.changeSet({ file: task.recorder.changeSetPath, repository, incrementKind: "mirror", sizeBytes: result.stats.incrementBytes });
    const s = result.stats;
    task.recorder.log(`Session ${new Date(result.time * 1000).toISOString()}: ${s.sourceFiles} files (${s.sourceBytes} bytes) in the source, ${s.newFiles} new, ${s.changedFiles} changed, ${s.deletedFiles} deleted, increment ${s.incrementBytes} bytes, ${s.errors} errors`);
    return result;
  } catch (err) {
    if (task.signal.aborted && !(err instanceof AgentError && err.kind === "cancelled")) {
      throw new AgentError("cancelled", `Backup cancelled: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  } finally {
    await source.close().catch(() => undefined);
  }
}
