// Test fixture: a real mirror repository written by the Strata engine over four sessions with adds, changes,
// deletions and type changes, plus each session's source tree and change-set file, for catalogue tests.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync, readdirSync, lstatSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupSession } from "@/agent/engines/mirror/index";
import { openLocalSource } from "@/agent/sources/local";

export const SESSION_TIMES = [1_700_000_000, 1_700_086_400, 1_700_172_800, 1_700_259_200];

export interface TreeEntry { path: string; type: string; size: number }
export interface Fixture { dir: string; repo: string; trees: TreeEntry[][]; changeSets: string[]; cleanup(): void }

function put(src: string, rel: string, text: string) {
  mkdirSync(join(src, rel, ".."), { recursive: true });
  writeFileSync(join(src, rel), text);
  utimesSync(join(src, rel), 1_600_000_000, 1_600_000_000);
}

const steps: Array<(src: string) => void> = [
  (s) => {
    put(s, "a.txt", "one");
    put(s, "dir/b.txt", "bee");
    put(s, "dir/sub/c.txt", "sea");
    put(s, "x", "plain file");
    put(s, "keep.bin", "k".repeat(5000));
    symlinkSync("a.txt", join(s, "link"));
  },
  (s) => {
    put(s, "a.txt", "one, changed");
    rmSync(join(s, "dir/b.txt"));
    put(s, "new.txt", "fresh");
    rmSync(join(s, "x"));
    put(s, "x/inner.txt", "now a directory");
  },
  (s) => {
    rmSync(join(s, "dir/sub"), { recursive: true });
    rmSync(join(s, "link"));
    symlinkSync("keep.bin", join(s, "link"));
    rmSync(join(s, "new.txt"));
  },
  (s) => {
    put(s, "new.txt", "fresh again, longer");
  },
];

/** Every entry under `src` (relative paths, "" = root) with its catalogue type and size. */
export function snapshot(src: string): TreeEntry[] {
  const out: TreeEntry[] = [{ path: "", type: "dir", size: 0 }];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(src, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(src, p));
      const type = st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "file";
      out.push({ path: p, type, size: type === "file" ? st.size : 0 });
      if (type === "dir") walk(p);
    }
  };
  walk("");
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Builds the repository with the engine behind `strata-agent backup` (in process: faster), one session per step. */
export async function buildMirrorFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "strata-catalogue-"));
  const src = join(dir, "src");
  const repo = join(dir, "repo");
  mkdirSync(src);
  const trees: TreeEntry[][] = [];
  const changeSets: string[] = [];
  for (const [i, step] of steps.entries()) {
    step(src);
    for (const e of snapshot(src)) if (e.type === "dir") utimesSync(join(src, e.path), 1_600_000_000, 1_600_000_000); // deterministic: dirs never "change"
    const cs = join(dir, `cs${i}.ndjson`);
    const source = await openLocalSource(src);
    const r = await backupSession({ source, repo, selection: [], currentTime: SESSION_TIMES[i], force: false, changeSetFile: cs, callbacks: { onLog: () => {}, onItemError: () => {} } });
    if (r.status !== "success") throw new Error(`Fixture session ${i} ended ${r.status}`);
    trees.push(snapshot(src));
    changeSets.push(cs);
  }
  return { dir, repo, trees, changeSets, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
