// Which repository files an upload sends (backup-manager §5): top-level files whose name contains TODAY,
// never in-progress `.part` files; the caller drops those already recorded as uploaded to the host.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { PART_SUFFIX } from "../atomic-file";

/** A local file chosen for upload. */
export interface SelectedFile {
  path: string;
  name: string;
  size: number;
}

/** Files of `repository` (top level, regular or links to regular files) whose name contains `today`, sorted. */
export async function selectTodaysArchives(repository: string, today: string): Promise<SelectedFile[]> {
  const out: SelectedFile[] = [];
  for (const name of (await readdir(repository)).sort()) {
    if (!name.includes(today) || name.endsWith(PART_SUFFIX)) continue;
    const full = path.join(repository, name);
    const st = await stat(full).catch(() => undefined);
    if (st?.isFile()) out.push({ path: full, name, size: st.size });
  }
  return out;
}
