// Catalogue look-ups behind downloads: the repository (with its agent's address and secret), the increment a
// time spec selects, and the version of a path then, all scoped by what the caller may see.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { getVisibleRepository } from "@/lib/data/repositories";
import { normalisePath, resolveTime } from "@/lib/data/catalogue";

/** What a download needs: where the bytes are and which version they are. */
export interface DownloadTarget {
  repo: { id: string; name: string; format: "mirror" | "archive"; path: string };
  agent: { name: string; url: string | null; secretEnc: string };
  increment: { time: Date };
  path: string;
  version: {
    type: string;
    size: bigint;
    mtime: Date | null;
    digest: string | null;
    linkTarget: string | null;
    archive: string | null;
    validFrom: Date;
  } | null;
}

/**
 * Resolves `rawPath` at the time spec `at` (empty: latest) in a repository the caller may see.
 * 404 when the repository is not visible or the path did not exist then; 400 when it has the wrong type.
 */
export async function resolveDownload(caller: Caller, repoId: string, rawPath: string | null, at: string | null, want: "file" | "dir"): Promise<DownloadTarget> {
  const repo = await getVisibleRepository(caller, repoId, { withAgentSecret: true });
  const path = normalisePath(rawPath);
  if (want === "file" && path === "") throw new AppError("invalid", "Missing path: name the file to download");
  // JavaScript's toISOString() adds milliseconds, which rdiff-backup time specs do not accept.
  const spec = (at ?? "").replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(Z|[+-]\d\d:\d\d)$/, "$1$2");
  const { increment } = await resolveTime(caller, repoId, spec);
  const t = increment.time;
  const version = await db().fileVersion.findFirst({
    where: { repositoryId: repo.id, path, validFrom: { lte: t }, OR: [{ validUntil: null }, { validUntil: { gt: t } }] },
    orderBy: { validFrom: "desc" },
    select: { type: true, size: true, mtime: true, digest: true, linkTarget: true, archive: true, validFrom: true },
  });
  const shown = path || "/";
  if (!version && !(want === "dir" && path === "")) throw new AppError("not_found", `"${shown}" did not exist at ${t.toISOString()}`);
  if (version && want === "file" && version.type !== "file") {
    const what = version.type === "dir" ? "a directory (download it as an archive)" : version.type === "symlink" ? `a symbolic link to "${version.linkTarget}"` : `a ${version.type}`;
    throw new AppError("invalid", `"${shown}" is ${what} at ${t.toISOString()}`);
  }
  if (version && want === "dir" && version.type !== "dir") throw new AppError("invalid", `"${shown}" is not a directory at ${t.toISOString()}`);
  const agent = repo.agent as { name: string; url: string | null; secretEnc: string };
  return {
    repo: { id: repo.id, name: repo.name, format: repo.format, path: repo.path },
    agent: { name: agent.name, url: agent.url, secretEnc: agent.secretEnc },
    increment: { time: t },
    path,
    version,
  };
}
