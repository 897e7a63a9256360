// rdiff-backup's glob language compiled to selection functions (include/exclude, `**`, `ignorecase:`, scanning).
// Paths and patterns are bytes; regexes run on Latin-1 strings so one char = one byte, as upstream's bytes regexes.
import { AgentError } from "@/agent/errors";

/** A selection function's verdict: 0 exclude, 1 include, 2 scan (a directory that may hold included files), undefined no opinion. */
export type Verdict = 0 | 1 | 2 | undefined;

/** Selection function over the full path (source root + "/" + relative path) as a Latin-1 string. */
export type GlobTest = (fullPath: string) => Verdict;

const GLOB_CHARS = /^(?:[\s\S]*[*?[\\]|ignorecase:)/i;

/** Compiles one --include/--exclude glob against the source root; throws a usage error when it can never match under the root. */
export function compileGlob(glob: Buffer, include: boolean, root: Buffer): GlobTest {
  const pat = glob.toString("latin1");
  if (pat === "**") return () => (include ? 1 : 0);
  if (!GLOB_CHARS.test(pat)) return tupleTest(glob, include, root);
  let body = pat;
  let flags = "s";
  if (body.toLowerCase().startsWith("ignorecase:")) {
    body = body.slice("ignorecase:".length);
    flags = "is";
  }
  const full = new RegExp(`^${globToRe(body)}($|/)`, flags);
  const star = body.indexOf("**");
  const scanSrc = star === -1 ? body : body.slice(0, star + 2);
  const scan = new RegExp(`^(${prefixRes(scanSrc, glob).join("|")})$`, flags);
  const includeTest: GlobTest = (p) => (full.test(p) ? 1 : scan.test(p) ? 2 : undefined);
  if (includeTest(root.toString("latin1")) === undefined) throw prefixError(glob, root);
  return include ? includeTest : (p) => (full.test(p) ? 0 : undefined);
}

/** A plain path (no glob characters): includes its ancestors and descendants, excludes its descendants. */
function tupleTest(glob: Buffer, include: boolean, root: Buffer): GlobTest {
  const parts = (b: string) => b.split("/").filter((x) => x.length > 0);
  const rootParts = parts(root.toString("latin1"));
  const all = parts(glob.toString("latin1"));
  if (!rootParts.every((p, i) => all[i] === p)) throw prefixError(glob, root);
  const tuple = all.slice(rootParts.length);
  const rel = (p: string) => parts(p).slice(rootParts.length);
  const startsWith = (a: string[], b: string[]) => b.length <= a.length && b.every((x, i) => a[i] === x);
  if (include) return (p) => (startsWith(tuple, rel(p)) || startsWith(rel(p), tuple) ? 1 : undefined);
  return (p) => (startsWith(rel(p), tuple) ? 0 : undefined);
}

function prefixRes(glob: string, raw: Buffer): string[] {
  const parts = glob.split("/");
  if (parts.slice(1, -1).includes("")) {
    throw new AgentError("usage", `Cannot use selection pattern "${raw.toString()}": consecutive "/" in it`);
  }
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  if (prefixes[0] === "") prefixes[0] = "/";
  return prefixes.map(globToRe);
}

/** Shell glob → regex source, exactly as upstream's `_glob_to_re` (`**` crosses "/", `*` and `?` do not). */
export function globToRe(pat: string): string {
  let res = "";
  let i = 0;
  const n = pat.length;
  while (i < n) {
    const c = pat[i];
    const s = pat.slice(i, i + 2);
    i++;
    if (c === "\\") {
      res += escapeChar(s.length > 1 ? s[1] : "\\");
      i++;
    } else if (s === "**") {
      res += "[\\s\\S]*";
      i++;
    } else if (c === "*") res += "[^/]*";
    else if (c === "?") res += "[^/]";
    else if (c === "[") {
      let j = i;
      if (j < n && "!^".includes(pat[j])) j++;
      if (j < n && pat[j] === "]") j++;
      while (j < n && pat[j] !== "]") j++;
      if (j >= n) res += "\\[";
      else {
        let stuff = pat.slice(i, j).replace(/\\/g, "\\\\");
        i = j + 1;
        if ("!^".includes(stuff[0])) stuff = "^" + stuff.slice(1);
        res += "[" + [...stuff].map(classChar).join("") + "]";
      }
    } else res += escapeChar(c);
  }
  return res;
}

function escapeChar(c: string): string {
  return "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
}

function classChar(c: string): string {
  const code = c.charCodeAt(0);
  return code >= 0x80 || c === "/" ? escapeChar(c) : c;
}

function prefixError(glob: Buffer, root: Buffer): AgentError {
  return new AgentError(
    "usage",
    `Cannot use selection pattern "${glob.toString()}": it cannot match anything under the source "${root.toString()}" ` +
      `(patterns start with the source path or with a pattern such as "**")`,
  );
}
