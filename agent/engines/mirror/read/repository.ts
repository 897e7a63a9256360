// Opening a mirror repository for reading: finds the repository root above a REPO[/PATH] argument,
// checks it is consistent, and gathers what every read needs (sessions, metadata files, quoting).
import { stat } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "@/agent/errors";
import { listMetadataFiles, type MetadataFile } from "../format/metadata-chain";
import { DATA_DIR } from "../format/names";
import { inspectRepository, isProcessRunning, sessionTimes, resolveRestoreTime, type RepoState } from "../format/sessions";

/** A repository opened for reading. */
export interface MirrorRepo {
  root: string;
  state: RepoState;
  mirrorTime: number;
  /** Restore-time list (§3.1), ascending; the last one is the mirror time. */
  sessions: number[];
  metadataFiles: MetadataFile[];
}

/** Splits `REPO[/PATH]` at the nearest ancestor holding rdiff-backup-data; `sub` is raw bytes. */
export async function locateRepository(arg: string): Promise<{ root: string; sub: Buffer }> {
  let cur = path.resolve(arg);
  const rest: string[] = [];
  for (;;) {
    const isRepo = await stat(path.join(cur, DATA_DIR)).then((s) => s.isDirectory(), () => false);
    if (isRepo) return { root: cur, sub: Buffer.from(rest.reverse().join("/")) };
    const parent = path.dirname(cur);
    if (parent === cur) throw new AgentError("usage", `Cannot open repository "${arg}": no ${DATA_DIR} directory found`);
    rest.push(path.basename(cur));
    cur = parent;
  }
}

/**
 * Opens a repository for reading. A repository with a session in progress or a crashed one is refused
 * (as rdiff-backup refuses to restore from it) unless `allowInterrupted` (then the last complete session is read).
 */
export async function openRepository(root: string, opts: { allowInterrupted?: boolean } = {}): Promise<MirrorRepo> {
  const state = await inspectRepository(root);
  if (state.status === "not-a-repository") {
    throw new AgentError("usage", `Cannot open repository "${root}": it is not an rdiff-backup repository`);
  }
  if (state.status === "interrupted" && !opts.allowInterrupted) {
    const running = state.markerPids.some(isProcessRunning);
    throw new AgentError(
      running ? "locked" : "fatal",
      running
        ? `Cannot read repository "${root}": a backup session is running (PID ${state.markerPids.join(", ")})`
        : `Cannot read repository "${root}": the previous backup seems to have failed; run "strata-agent regress" first`,
    );
  }
  if (state.mirrorTime === null) {
    throw new AgentError("fatal", `Cannot read repository "${root}": no complete backup session (no current_mirror marker)`);
  }
  const unquote = state.quoting.identity ? undefined : state.quoting.unquote;
  return {
    root,
    state,
    mirrorTime: state.mirrorTime,
    sessions: sessionTimes(state),
    metadataFiles: (await listMetadataFiles(root, unquote)).filter((f) => f.time <= state.mirrorTime!),
  };
}

/** The session a requested time restores (§3.2 step 1). */
export function restoreTimeFor(repo: MirrorRepo, at: number): number {
  return resolveRestoreTime(repo.sessions, at);
}
