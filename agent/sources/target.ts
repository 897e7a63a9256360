// Where a restore writes back to a host: a directory on this agent's machine (hosts of transport "local") or
// over SFTP. Files are written to a temporary name beside the target and renamed into place, so a reader never
// sees half a file; an existing file is never replaced unless the restore says `overwrite`.
import { randomBytes } from "node:crypto";
import { createWriteStream, promises as fsp } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AgentError } from "../errors";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { connectToHost, hostLabel, type OpenSourceContext } from "./open";
import { openSftpTarget } from "./ssh/sftp-target";

/** Write access to a directory tree; paths are Buffers relative to the root ("" = the root), like Source. */
export interface Target {
  /** The root as the restore named it. */
  readonly root: string;
  /** Creates a directory and its missing parents (an existing directory is fine). */
  mkdirp(path: Buffer, mode?: number): Promise<void>;
  /** Whether something (anything, even a dangling symlink) exists at `path`. */
  exists(path: Buffer): Promise<boolean>;
  /** Writes a regular file from `data` atomically; returns the bytes written. EEXIST when it exists and !overwrite. */
  writeFile(path: Buffer, data: Readable, opts: { mode?: number; overwrite: boolean }): Promise<number>;
  /** Creates a symlink `path` → `target`. EEXIST when `path` exists and !overwrite. */
  symlink(path: Buffer, target: Buffer, opts: { overwrite: boolean }): Promise<void>;
  chmod(path: Buffer, mode: number): Promise<void>;
  /** Sets the owner; false (nothing changed) when the agent is not permitted to. */
  chown(path: Buffer, uid: number, gid: number): Promise<boolean>;
  /** Sets the modification (and access) time, epoch seconds. Not for symlinks. */
  utimes(path: Buffer, mtime: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens `rootPath` (absolute) on `host` for writing, creating it when missing. */
export async function openHostTarget(host: HostConnection, rootPath: string, ctx: OpenSourceContext): Promise<Target> {
  if (!rootPath.startsWith("/")) throw new AgentError("usage", `Restore target "${rootPath}" must be an absolute path`);
  if (host.local) return openLocalTarget(rootPath);
  const { client } = await connectToHost(host, ctx);
  return openSftpTarget(client, rootPath, hostLabel(host));
}

/** Error for an existing path the restore may not replace. */
export function existsError(root: string, path: Buffer): Error {
  const shown = path.length ? `${root.replace(/\/$/, "")}/${path.toString("utf8")}` : root;
  return Object.assign(new AgentError("fatal", `"${shown}" already exists; the restore does not overwrite existing files unless asked to`), { code: "EEXIST" });
}

/** A temporary name beside `path` (same directory, so the rename is atomic). */
export function tempName(path: Buffer): Buffer {
  const slash = path.lastIndexOf(0x2f);
  const dir = slash >= 0 ? path.subarray(0, slash + 1) : Buffer.alloc(0);
  return Buffer.concat([dir, Buffer.from(`.strata-restore-${randomBytes(6).toString("hex")}.tmp`)]);
}

export async function openLocalTarget(rootPath: string): Promise<Target> {
  const root = Buffer.from(rootPath.length > 1 ? rootPath.replace(/\/+$/, "") : rootPath);
  try {
    await fsp.mkdir(root, { recursive: true });
  } catch (err) {
    throw new AgentError("fatal", `Cannot create restore target "${rootPath}": ${(err as Error).message}`, { cause: err });
  }
  const abs = (p: Buffer) => (p.length === 0 ? root : Buffer.concat([root, root.length === 1 ? Buffer.alloc(0) : Buffer.from("/"), p]));
  const t: Target = {
    root: rootPath,
    async mkdirp(p, mode) {
      await fsp.mkdir(abs(p), { recursive: true, mode });
    },
    async exists(p) {
      return fsp.lstat(abs(p)).then(
        () => true,
        (err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? false : Promise.reject(err)),
      );
    },
    async writeFile(p, data, opts) {
      if (!opts.overwrite && (await t.exists(p))) throw existsError(rootPath, p);
      const tmp = abs(tempName(p));
      const out = createWriteStream(tmp, { mode: opts.mode ?? 0o600, flags: "wx" });
      try {
        await pipeline(data, out);
        await placeLocal(tmp, abs(p), opts.overwrite, () => existsError(rootPath, p));
      } catch (err) {
        await fsp.unlink(tmp).catch(() => undefined);
        throw err;
      }
      if (opts.mode !== undefined) await fsp.chmod(abs(p), opts.mode);
      return out.bytesWritten;
    },
    async symlink(p, target, opts) {
      if (!opts.overwrite && (await t.exists(p))) throw existsError(rootPath, p);
      const tmp = abs(tempName(p));
      await fsp.symlink(target, tmp);
      try {
        await placeLocal(tmp, abs(p), opts.overwrite, () => existsError(rootPath, p));
      } catch (err) {
        await fsp.unlink(tmp).catch(() => undefined);
        throw err;
      }
    },
    async chmod(p, mode) {
      await fsp.chmod(abs(p), mode);
    },
    async chown(p, uid, gid) {
      try {
        await fsp.lchown(abs(p), uid, gid);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EPERM") return false;
        throw err;
      }
    },
    async utimes(p, mtime) {
      await fsp.utimes(abs(p), mtime, mtime);
    },
    async close() {},
  };
  return t;
}

/** Moves `tmp` to `final`: replacing it (rename) or only if absent (link + unlink, atomic against races). */
async function placeLocal(tmp: Buffer, final: Buffer, overwrite: boolean, exists: () => Error): Promise<void> {
  if (overwrite) return fsp.rename(tmp, final);
  try {
    await fsp.link(tmp, final);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw exists();
    throw err;
  }
  await fsp.unlink(tmp);
}
