// Blacklist words (BM_TARBALL_BLACKLIST) → what to leave out of one target. Differences from
// backup-manager §3.4, on purpose: an absolute path excludes exactly that path (anchored, not every
// member with the same name) and a trailing "/" no longer makes a pattern exclude nothing.
import type { TarExcludes } from "./tar-build";

const strip = (p: string) => (p.length > 1 && p.endsWith("/") ? p.replace(/\/+$/, "") : p);

/** Decides for one target: skip it entirely (a blacklist word equals it), or the exclusions to apply. */
export function blacklistFor(target: string, words: string[]): { skipTarget: boolean; excludes: TarExcludes } {
  const t = strip(target);
  const excludes: TarExcludes = { anchored: [], unanchored: [] };
  let skipTarget = false;
  for (const raw of words) {
    const w = strip(raw.trim());
    if (w === "") continue;
    if (w === t) skipTarget = true;
    else if (w.startsWith("/")) {
      if (w.startsWith(t === "/" ? "/" : t + "/")) excludes.anchored.push(w);
    } else excludes.unanchored.push(w);
  }
  return { skipTarget, excludes };
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += "[" + glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** True when `abs` (inside `target`) is excluded, with GNU tar's matching (unanchored: any trailing sub-path). */
export function excludedBy(abs: string, target: string, ex: TarExcludes): boolean {
  if (ex.anchored.some((a) => abs === a || abs.startsWith(a + "/"))) return true;
  if (abs === strip(target) || ex.unanchored.length === 0) return false;
  const parts = abs.split("/").filter(Boolean);
  const res = ex.unanchored.map(globToRegExp);
  for (let i = 0; i < parts.length; i++) {
    const tail = parts.slice(i).join("/");
    if (res.some((r) => r.test(tail))) return true;
  }
  return false;
}
