// Restore target over SFTP: mkdir -p, atomic file writes (temporary name, pipelined WRITEs, rename into place),
// symlinks, modes, owners (when the login may change them) and times, with Buffer paths.
import type { Readable } from "node:stream";
import type ssh2 from "ssh2";
import { AgentError } from "@/agent/errors";
import { existsError, tempName, type Target } from "../target";
import { SftpError, OPEN_FLAGS, type SftpClient } from "./sftp-client";
import { describe, startSftp, typeOf } from "./sftp-source";

/** Bytes per WRITE request and writes in flight per file. */
const WRITE_CHUNK = 32 * 1024;
const WRITES_IN_FLIGHT = 16;

/** Opens `rootPath` on the host as a restore target (created when missing). Closes `client` with the target. */
export async function openSftpTarget(client: ssh2.Client, rootPath: string, label: string): Promise<Target> {
  const sftp = await startSftp(client);
  const root = Buffer.from(rootPath.length > 1 ? rootPath.replace(/\/+$/, "") : rootPath);
  const t = new SftpTarget(rootPath, root, sftp, client);
  try {
    await t.mkdirAbs(root);
  } catch (err) {
    await t.close();
    throw new AgentError("fatal", `Cannot create restore target "${rootPath}" on ${label}: ${describe(err)}`, { cause: err });
  }
  return t;
}

class SftpTarget implements Target {
  constructor(
    readonly root: string,
    private readonly rootBuf: Buffer,
    private readonly sftp: SftpClient,
    private readonly client: ssh2.Client,
  ) {}

  private abs(p: Buffer): Buffer {
    if (p.length === 0) return this.rootBuf;
    return Buffer.concat([this.rootBuf, this.rootBuf.length === 1 ? Buffer.alloc(0) : Buffer.from("/"), p]);
  }

  /** mkdir -p of an absolute path. */
  async mkdirAbs(abs: Buffer, mode?: number): Promise<void> {
    const parts = abs.toString("latin1").split("/").filter(Boolean);
    let cur = "";
    for (const part of parts) {
      cur += "/" + part;
      const p = Buffer.from(cur, "latin1");
      const st = await this.sftp.stat(p).catch((err: SftpError) => (err.code === "ENOENT" ? null : Promise.reject(err)));
      if (st) {
        if (typeOf(st.mode ?? 0) !== "dir") throw new SftpError("ENOTDIR", 4, `"${p.toString("utf8")}" is not a directory`);
        continue;
      }
      await this.sftp.mkdir(p, mode === undefined ? {} : { mode }).catch(async (err: SftpError) => {
        // Made meanwhile by someone else: fine when it is a directory now.
        const again = await this.sftp.stat(p).catch(() => null);
        if (!again || typeOf(again.mode ?? 0) !== "dir") throw err;
      });
    }
  }

  mkdirp(p: Buffer, mode?: number): Promise<void> {
    return this.mkdirAbs(this.abs(p), mode);
  }

  async exists(p: Buffer): Promise<boolean> {
    return this.sftp.lstat(this.abs(p)).then(
      () => true,
      (err: SftpError) => (err.code === "ENOENT" ? false : Promise.reject(err)),
    );
  }

  async writeFile(p: Buffer, data: Readable, opts: { mode?: number; overwrite: boolean }): Promise<number> {
    if (!opts.overwrite && (await this.exists(p))) throw existsError(this.root, p);
    const tmp = this.abs(tempName(p));
    const handle = await this.sftp.open(tmp, OPEN_FLAGS.WRITE | OPEN_FLAGS.CREAT | OPEN_FLAGS.EXCL, { mode: 0o600 });
    let offset = 0;
    try {
      const inFlight = new Set<Promise<void>>();
      let failed: Error | undefined;
      for await (const chunk of data as AsyncIterable<Buffer>) {
        for (let i = 0; i < chunk.length; i += WRITE_CHUNK) {
          const part = chunk.subarray(i, i + WRITE_CHUNK);
          const w: Promise<void> = this.sftp.write(handle, offset, part, `write ${tmp.toString("utf8")}`).then(
            () => void inFlight.delete(w),
            (err: Error) => void ((failed ??= err), inFlight.delete(w)),
          );
          inFlight.add(w);
          offset += part.length;
          if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
          if (failed) throw failed;
        }
      }
      await Promise.all(inFlight);
      if (failed) throw failed;
      await this.sftp.closeHandle(handle);
      if (opts.mode !== undefined) await this.sftp.setstat(tmp, { mode: opts.mode });
      await this.place(tmp, p, opts.overwrite);
    } catch (err) {
      await this.sftp.closeHandle(handle).catch(() => undefined);
      await this.sftp.remove(tmp).catch(() => undefined);
      throw err;
    }
    return offset;
  }

  async symlink(p: Buffer, target: Buffer, opts: { overwrite: boolean }): Promise<void> {
    if (!opts.overwrite && (await this.exists(p))) throw existsError(this.root, p);
    const tmp = this.abs(tempName(p));
    await this.sftp.symlink(target, tmp);
    try {
      await this.place(tmp, p, opts.overwrite);
    } catch (err) {
      await this.sftp.remove(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** Renames the temporary file into place; without overwrite, a path that appeared meanwhile is kept. */
  private async place(tmp: Buffer, p: Buffer, overwrite: boolean): Promise<void> {
    if (overwrite) return this.sftp.rename(tmp, this.abs(p));
    try {
      await this.sftp.renameNoReplace(tmp, this.abs(p));
    } catch (err) {
      if (await this.exists(p)) throw existsError(this.root, p);
      throw err;
    }
  }

  async chmod(p: Buffer, mode: number): Promise<void> {
    await this.sftp.setstat(this.abs(p), { mode: mode & 0o7777 });
  }

  async chown(p: Buffer, uid: number, gid: number): Promise<boolean> {
    try {
      await this.sftp.lsetstat(this.abs(p), { uid, gid }); // a symlink's own owner, never its target's
      return true;
    } catch (err) {
      if (err instanceof SftpError && (err.code === "EACCES" || err.code === "EIO" || err.code === "ENOTSUP")) return false;
      throw err;
    }
  }

  async utimes(p: Buffer, mtime: number): Promise<void> {
    await this.sftp.setstat(this.abs(p), { atime: mtime, mtime });
  }

  async close(): Promise<void> {
    this.sftp.close();
    this.client.end();
  }
}
