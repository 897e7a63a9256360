// Repository and archive permissions (BM_REPOSITORY_SECURE, _USER/_GROUP, _CHMOD, BM_ARCHIVE_CHMOD):
// owner names resolved once to ids, modes parsed from chmod octal text, applied after each archive.
import { execFile } from "node:child_process";
import { chmod, chown } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Resolved permissions of a run; every field optional (unset = leave as created: 0600 files). */
export interface Permissions {
  repositoryMode?: number;
  archiveMode?: number;
  uid?: number;
  gid?: number;
}

/** Parses chmod octal text ("660", "0770") into a mode; throws on anything else. */
export function parseMode(text: string): number {
  if (!/^0?[0-7]{3,4}$/.test(text)) throw new Error(`Invalid mode "${text}": expected octal digits such as "660"`);
  return Number.parseInt(text, 8);
}

async function lookupId(kind: "user" | "group", name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  try {
    const { stdout } = await run("getent", [kind === "user" ? "passwd" : "group", name]);
    return Number(stdout.split(":")[2]);
  } catch {
    throw new Error(`Unknown ${kind} "${name}" for repository ownership`);
  }
}

/** Resolves user/group names (or numeric ids) and chmod texts into Permissions. */
export async function resolvePermissions(o: {
  repositoryMode?: string;
  archiveMode?: string;
  user?: string;
  group?: string;
}): Promise<Permissions> {
  return {
    repositoryMode: o.repositoryMode ? parseMode(o.repositoryMode) : undefined,
    archiveMode: o.archiveMode ? parseMode(o.archiveMode) : undefined,
    uid: o.user ? await lookupId("user", o.user) : undefined,
    gid: o.group ? await lookupId("group", o.group) : undefined,
  };
}

/** Applies ownership and `mode` to one path (no-op for unset parts). */
export async function applyPermissions(file: string, p: Permissions, mode: number | undefined): Promise<void> {
  if (p.uid !== undefined || p.gid !== undefined) await chown(file, p.uid ?? -1, p.gid ?? -1);
  if (mode !== undefined) await chmod(file, mode);
}
