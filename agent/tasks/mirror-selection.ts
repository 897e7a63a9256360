// How a mirror job's source paths and include/exclude lists become one rdiff-backup session: one source path
// is the repository's root; several are backed up from their nearest common ancestor directory with each path
// included and everything else excluded, exactly `rdiff-backup --include A --include B --exclude '**' ANCESTOR`.
import path from "node:path";
import type { SelectionRule } from "../engines/mirror/index";
import { selectionRules } from "@/lib/schemas/job";

/** The source root and the ordered selection of a mirror job. */
export function mirrorSelection(sources: readonly string[], includes: readonly string[], excludes: readonly string[]): { root: string; rules: SelectionRule[] } {
  if (sources.length === 0) throw new Error("The job has no source path");
  const normal = sources.map((s) => path.posix.normalize(s).replace(/(.)\/+$/, "$1"));
  const root = commonAncestor(normal);
  // One source, or one that holds all the others: its whole tree, with the job's own selection.
  if (normal.includes(root)) return { root, rules: selectionRules(includes, excludes) };
  // Excludes first (first match wins), then the job's own includes, or else the source paths themselves.
  const inc = includes.length > 0 ? includes : normal;
  const rules: SelectionRule[] = [...excludes.map((glob) => ({ kind: "exclude" as const, glob })), ...inc.map((glob) => ({ kind: "include" as const, glob }))];
  if (inc.length > 0) rules.push({ kind: "exclude", glob: "**" });
  return { root, rules };
}

/** The deepest directory containing every path ("/" at worst). */
export function commonAncestor(paths: readonly string[]): string {
  const split = paths.map((p) => p.split("/").filter(Boolean));
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = split[0][i];
    if (part === undefined || split.some((s) => s[i] !== part)) break;
    out.push(part);
  }
  return "/" + out.join("/");
}
