// What state a repository is in before a session (§4.2): new, consistent, failed (two markers),
// or an interrupted first session; refuses while another process's marker is live.
import path from "node:path";
import { readFile } from "node:fs/promises";
import { AgentError } from "@/agent/errors";
import { listDataFiles } from "../format/names";
import { processAlive } from "../lock";

export type RepoState =
  | { kind: "new" }
  | { kind: "ok"; mirrorTime: number }
  | { kind: "failed"; good: number; failed: number }
  | { kind: "interrupted" };

/** Reads the markers in rdiff-backup-data and classifies the repository. */
export async function inspectRepository(repo: string, dataDir: string): Promise<RepoState> {
  const files = await listDataFiles(dataDir).catch(() => []);
  const markers = files.filter((f) => f.prefix === "current_mirror" && f.type === "data");
  if (markers.length === 0) {
    const meta = files.filter((f) => f.prefix === "mirror_metadata").length;
    if (files.length === 0) return { kind: "new" };
    if (meta > 1) throw new AgentError("fatal", `Cannot use repository "${repo}": rdiff-backup-data has no current_mirror marker but several sessions`);
    return { kind: "interrupted" };
  }
  // Only the newest marker belongs to a session that may still run; the older one's process finished it.
  const newest = markers.reduce((a, b) => (b.time > a.time ? b : a));
  if (markers.length > 1) {
    const text = await readFile(path.join(dataDir, newest.name), "latin1").catch(() => "");
    const pid = Number(/^PID\s*([0-9]+)/im.exec(text)?.[1] ?? 0);
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new AgentError("locked", `Cannot use repository "${repo}": a session with process id ${pid} still seems to be running`);
    }
  }
  if (markers.length > 2) throw new AgentError("fatal", `Cannot use repository "${repo}": ${markers.length} current_mirror markers (corrupt)`);
  const times = markers.map((m) => m.time).sort((a, b) => a - b);
  if (times.length === 2) return { kind: "failed", good: times[0], failed: times[1] };
  return { kind: "ok", mirrorTime: times[0] };
}
