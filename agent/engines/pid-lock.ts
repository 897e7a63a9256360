// PID-file locks shared by every engine (a job's run, a repository's session): the file is created
// atomically with its content; a live owner refuses the second taker (AgentError "locked"), a dead owner's
// stale file is taken over.
import { link, readFile, rename, rm, writeFile } from "node:fs/promises";
import { AgentError } from "@/agent/errors";

/** A held lock; `release()` removes the PID file (idempotent, only if it is still ours). */
export interface PidLock {
  path: string;
  release(): Promise<void>;
}

/** Whether a process with this PID runs on this host. */
export function processAlive(pid: number): boolean {
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
    const m = /\d+/.exec(await readFile(lockPath, "latin1"));
    return m ? Number(m[0]) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** How a lock describes itself: its file content and the messages of its failures. */
export interface PidLockOptions {
  /** The file's content; the first number in it must be our PID. */
  content: string;
  /** Message when another live process holds the lock. */
  busy(ownerPid: number): string;
  /** Message when this very process already holds it. */
  busyHere: string;
  /** Message when the file cannot be created (the cause is appended). */
  cannotCreate: string;
  onLog?: (line: string) => void;
}

/**
 * Takes the PID lock at `lockPath`. Steps: write the content to a private temp file, hard-link it to the
 * lock path (atomic create, never an empty lock file); on EEXIST read the owner: alive → refuse, dead →
 * move the stale file aside (one racer wins the rename) and retry.
 */
export async function acquirePidLock(lockPath: string, o: PidLockOptions): Promise<PidLock> {
  const tmp = `${lockPath}.${process.pid}.tmp`;
  await writeFile(tmp, o.content, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, lockPath);
        return makeLock(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new AgentError("fatal", `${o.cannotCreate}: ${(err as Error).message}`, { cause: err });
        }
      }
      const owner = await readOwner(lockPath);
      if (owner !== undefined && processAlive(owner) && owner !== process.pid) {
        throw new AgentError("locked", o.busy(owner));
      }
      if (owner === process.pid) {
        throw new AgentError("locked", o.busyHere);
      }
      o.onLog?.(`Removing stale lock "${lockPath}": PID ${owner ?? "?"} is not running`);
      await takeAside(lockPath, owner);
    }
    throw new AgentError("locked", `Cannot take lock "${lockPath}": it keeps changing owner`);
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
  if (moved !== staleOwner && moved !== undefined && processAlive(moved)) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
}

function makeLock(lockPath: string): PidLock {
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
