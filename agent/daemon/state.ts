// The agent's persistent state on its own disk (credentials from enrolment), written atomically with mode 0600,
// and the atomic JSON file helpers the daemon's other state files (jobs, schedule, run spool) use.
import { mkdir, open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const stateSchema = z.object({
  v: z.literal(1),
  console: z.string().url(),
  name: z.string(),
  agentId: z.string(),
  token: z.string(),
  secret: z.string(),
});
export type AgentState = z.infer<typeof stateSchema>;

/** Reads the state file; null when absent. Throws on a corrupt file rather than silently re-enrolling. */
export async function loadState(dir: string): Promise<AgentState | null> {
  const file = path.join(dir, "agent.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`Agent state "${file}" is corrupt: ${parsed.error.message}`);
  return parsed.data;
}

/** Writes the state file atomically (temp file + rename). */
export async function saveState(dir: string, state: AgentState): Promise<void> {
  await writeJsonAtomic(path.join(dir, "agent.json"), state);
}

/** Writes `value` as JSON to `file` atomically (temp file + fsync + rename), mode 0600, creating its directory. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(JSON.stringify(value, null, 2));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** Reads a JSON file; null when it does not exist. */
export async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`Cannot read "${file}": ${(err as Error).message}`, { cause: err });
  }
}
