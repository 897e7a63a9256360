// Wire contract of the agent's data plane (console → agent, signed): query parameters of /v1/versions,
// /v1/file and /v1/tree, the JSON error body, and the one rule for paths inside a repository.
import { z } from "zod";

/** Why a path inside a repository is refused, or null when it is acceptable. */
export function repoPathProblem(p: string): string | null {
  if (p.includes("\0")) return "it contains a NUL byte";
  if (p.startsWith("/")) return "it is absolute (paths are relative to the repository root)";
  if (p.includes("\\")) return "it contains a backslash";
  for (const seg of p.split("/")) {
    if (seg === "..") return 'it contains ".."';
    if (seg === ".") return 'it contains "."';
  }
  return null;
}

/** Normalises a path inside a repository ("a//b/" → "a/b"; "" is the root); throws on a refused path. */
export function normaliseRepoPath(p: string): string {
  const problem = repoPathProblem(p);
  if (problem) throw new Error(`Path "${p.replace(/\0/g, "\\0")}" is refused: ${problem}`);
  return p.split("/").filter(Boolean).join("/");
}

const epoch = z.coerce.number().int().nonnegative();
const format = z.enum(["mirror", "archive"]);
/** Path inside the repository (see normaliseRepoPath); "" is the root. */
const innerPath = z.string().max(4096).transform((p, ctx) => {
  try {
    return normaliseRepoPath(p);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});
/**
 * Exact bytes of the path inside the repository, base64url (names that are not valid UTF-8); when present it
 * names the path and `path` is only its lossy rendering. The agent checks the bytes (see the data-plane routes).
 */
const pathBase64 = z.string().max(8192).regex(/^[A-Za-z0-9_-]*$/, "base64url").optional();
/** Repository path on the agent's disk (confined to its repository roots by the agent). */
const repoPath = z.string().min(1).max(4096);

export const versionsQuery = z.object({ repo: repoPath, format });
export type VersionsQuery = z.input<typeof versionsQuery>;

export const fileQuery = z.object({
  repo: repoPath,
  format,
  path: innerPath,
  pathBase64,
  at: epoch,
  /** Archive repositories: archive file (relative to the repository) holding this version. */
  archive: innerPath.optional(),
  /** Byte range: first byte and count (absent: the whole file). */
  offset: epoch.optional(),
  length: epoch.optional(),
});
export type FileQuery = z.input<typeof fileQuery>;

export const treeQuery = z.object({
  repo: repoPath,
  format,
  path: innerPath,
  pathBase64,
  at: epoch,
  /** Folder name every tar entry is put under (e.g. "docs"); empty: entries at the top. */
  prefix: z.string().max(255).regex(/^[^/\0]*$/, "a single folder name").default(""),
  /** "copy": hard links become full files (for zip, which has no hard links); "keep": tar link entries. */
  hardLinks: z.enum(["keep", "copy"]).default("keep"),
});
export type TreeQuery = z.input<typeof treeQuery>;

/** Error body of every non-2xx data-plane answer. */
export const dataPlaneError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type DataPlaneError = z.infer<typeof dataPlaneError>;

/** Header names of a signed request. */
export const SIGNATURE_HEADER = "x-strata-signature";
export const EXPIRES_HEADER = "x-strata-expires";
/** Seconds a signature stays valid; verifiers refuse expiries further ahead than this (plus skew). */
export const SIGNATURE_TTL_SECONDS = 60;
