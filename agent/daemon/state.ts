// The agent's persistent state on its own disk (credentials from enrolment), written atomically with mode 0600.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
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
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "agent.json");
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
