// One run per job at a time: a PID file created exclusively; a live owner refuses the second run
// (AgentError "locked"), a dead owner's stale file is taken over.
import { link, readFile, rename, rm, writeFile } from "node:fs/promises";
import { AgentError } from "@/agent/errors";

/** A held lock; `release()` removes the PID file (idempotent, only if it is still ours). */
export interface JobLock {
  path: string;
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(lockPath: string): Promise<number | undefined> {
  try {
    const text = await readFile(lockPath, "utf8");
    return Number.parseInt(text.trim().split(/\s+/)[0], 10);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Takes the lock at `lockPath` for `label` (a job name, used in messages). Steps: write our PID to a
 * private temp file, hard-link it to the lock path (atomic create); on EEXIST read the owner: alive →
 * refuse, dead → move the stale file aside (one racer wins the rename) and retry.
 */
export async function acquireLock(lockPath: string, label: string, onLog?: (line: string) => void): Promise<JobLock> {
  const tmp = `${lockPath}.${process.pid}.tmp`;
  await writeFile(tmp, `${process.pid} ${label}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, lockPath);
        return makeLock(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new AgentError("fatal", `Cannot create lock "${lockPath}" for job "${label}": ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
      const owner = await readOwner(lockPath);
      if (owner !== undefined && isAlive(owner) && owner !== process.pid) {
        throw new AgentError(
          "locked",
          `Job "${label}" is already running (PID ${owner}, lock "${lockPath}"); not starting a second run`,
        );
      }
      if (owner === process.pid) {
        throw new AgentError("locked", `Job "${label}" is already running in this process (lock "${lockPath}")`);
      }
      onLog?.(`Removing stale lock "${lockPath}": PID ${owner ?? "?"} is not running`);
      await takeAside(lockPath, owner);
    }
    throw new AgentError("locked", `Cannot take lock "${lockPath}" for job "${label}": it keeps changing owner`);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Moves a stale lock aside; if a racer replaced it meanwhile with a live owner's file, puts that back. */
async function takeAside(lockPath: string, staleOwner: number | undefined): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (moved !== staleOwner && moved !== undefined && isAlive(moved)) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
}

function makeLock(lockPath: string): JobLock {
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      if ((await readOwner(lockPath)) === process.pid) await rm(lockPath, { force: true });
    },
  };
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
