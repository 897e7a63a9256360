// The repository lock: rdiff-backup-data/strata.lock holds "PID <n>" while a Strata session writes.
// A lock whose process is gone is stale and is taken over; rdiff-backup ignores the file.
import path from "node:path";
import { acquirePidLock, type PidLock } from "../pid-lock";

export { processAlive } from "../pid-lock";
export const LOCK_FILE = "strata.lock";

/** A held lock; `release()` removes the file. */
export type RepoLock = PidLock;

/** Takes the lock in `dataDir` (which must exist); refuses when another live process holds it. */
export function acquireLock(repo: string, dataDir: string): Promise<RepoLock> {
  return acquirePidLock(path.join(dataDir, LOCK_FILE), {
    content: `PID ${process.pid}\n`,
    busy: (pid) => `Cannot back up into repository "${repo}": another session (process ${pid}) is writing it`,
    busyHere: `Cannot back up into repository "${repo}": this process is already writing it`,
    cannotCreate: `Cannot lock repository "${repo}"`,
  });
}
