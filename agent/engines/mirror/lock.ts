// The repository lock: rdiff-backup-data/strata.lock holds "PID <n>" while a Strata session writes.
// A lock whose process is gone is stale and is taken over; rdiff-backup ignores the file.
import { open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "@/agent/errors";

export const LOCK_FILE = "strata.lock";

/** A held lock; `release()` removes the file. */
export interface RepoLock {
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

/** Takes the lock in `dataDir` (which must exist); refuses when another live process holds it. */
export async function acquireLock(repo: string, dataDir: string): Promise<RepoLock> {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, "wx", 0o600);
      await fh.writeFile(`PID ${process.pid}\n`);
      await fh.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new AgentError("fatal", `Cannot lock repository "${repo}": ${(err as Error).message}`, { cause: err });
      }
    }
    const pid = Number(/PID\s+(\d+)/i.exec(await readFile(file, "latin1").catch(() => ""))?.[1] ?? 0);
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new AgentError("locked", `Cannot back up into repository "${repo}": another session (process ${pid}) is writing it`);
    }
    await unlink(file).catch(() => undefined); // stale: its process is gone
  }
  throw new AgentError("locked", `Cannot lock repository "${repo}": the lock file keeps reappearing`);
}
