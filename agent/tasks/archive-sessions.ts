// Which archive files each session of an archive repository wrote, kept in the agent's state directory, so the
// archives backup-manager's TTL purge removes can be told to the console as removed sessions (increment times).
import path from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonAtomic } from "../daemon/state";

const FILE = "archive-sessions.json";
const schema = z.object({ v: z.literal(1), repositories: z.record(z.string(), z.record(z.string(), z.array(z.string()))) });

/**
 * Records that session `time` of `repository` wrote `outputs`, drops `purged` archives from every session, and
 * returns the sessions left with no archive at all (ascending): those increments are gone.
 */
export async function recordArchiveSession(stateDir: string, repository: string, time: number, outputs: string[], purged: string[]): Promise<number[]> {
  const file = path.join(stateDir, FILE);
  const parsed = schema.safeParse(await readJsonFile(file).catch(() => null));
  const all = parsed.success ? parsed.data.repositories : {};
  const sessions = (all[repository] ??= {});
  const gone = new Set(purged.map((p) => path.basename(p)));
  const removed: number[] = [];
  for (const [t, names] of Object.entries(sessions)) {
    const left = names.filter((n) => !gone.has(n));
    if (left.length === 0 && names.length > 0) {
      removed.push(Number(t));
      delete sessions[t];
    } else sessions[t] = left;
  }
  if (outputs.length > 0) sessions[String(time)] = outputs.map((o) => path.basename(o));
  await writeJsonAtomic(file, { v: 1, repositories: all });
  return removed.sort((a, b) => a - b);
}
