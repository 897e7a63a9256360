// Confinement of repository paths to the agent's repository roots: `..` and NUL are refused, and the
// real path (symlinks resolved) must lie inside one root, so no request reaches outside them.
import { realpath } from "node:fs/promises";
import path from "node:path";
import { HttpError } from "./http-error";

function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path of repository `arg` (absolute, or relative to the first root), confined to `roots`. */
export async function resolveRepository(roots: string[], arg: string): Promise<string> {
  if (arg.includes("\0")) throw new HttpError(400, "invalid", "Repository path is refused: it contains a NUL byte");
  if (arg.split("/").includes("..")) throw new HttpError(400, "invalid", `Repository path "${arg}" is refused: it contains ".."`);
  if (!roots.length) throw new HttpError(403, "forbidden", "This agent serves no repository roots");
  const candidate = path.isAbsolute(arg) ? arg : path.resolve(roots[0], arg);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new HttpError(404, "not_found", `No repository at "${arg}"`);
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(path.resolve(r)).catch(() => null)));
  if (!realRoots.some((r) => r !== null && inside(real, r))) {
    throw new HttpError(403, "forbidden", `Repository path "${arg}" is refused: it is outside this agent's repository roots`);
  }
  return real;
}

/** The real path of `rel` inside directory `dir` (already real), refusing anything that leaves it. */
export async function resolveInside(dir: string, rel: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path.join(dir, rel));
  } catch {
    throw new HttpError(404, "not_found", `No "${rel}" in repository "${dir}"`);
  }
  if (!inside(real, dir)) throw new HttpError(400, "invalid", `Path "${rel}" is refused: it leads outside the repository`);
  return real;
}
