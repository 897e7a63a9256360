// One run per job at a time, through the shared PID lock: the file holds "PID label".
import { acquirePidLock, type PidLock } from "../pid-lock";

export type JobLock = PidLock;

/** Takes the lock at `lockPath` for job `label` (used in messages). */
export function acquireLock(lockPath: string, label: string, onLog?: (line: string) => void): Promise<JobLock> {
  return acquirePidLock(lockPath, {
    content: `${process.pid} ${label}\n`,
    busy: (pid) => `Job "${label}" is already running (PID ${pid}, lock "${lockPath}"); not starting a second run`,
    busyHere: `Job "${label}" is already running in this process (lock "${lockPath}")`,
    cannotCreate: `Cannot create lock "${lockPath}" for job "${label}"`,
    onLog,
  });
}

/** Runs `fn` while holding the lock, releasing it afterwards whatever happens. */
export async function withLock<T>(lockPath: string, label: string, fn: () => Promise<T>, onLog?: (l: string) => void): Promise<T> {
  const lock = await acquireLock(lockPath, label, onLog);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
