// The SFTP uploader: pipelined writes into `<name>.part`, resume from the remote part's size after a dropped
// connection, size + SHA-256 verification (remote `sha256sum` when the host allows exec), then rename.
import { open } from "node:fs/promises";
import path from "node:path/posix";
import type ssh2 from "ssh2";
import { AgentError } from "@/agent/errors";
import { connectSsh, endpointLabel, type SshEndpoint } from "./ssh-connect";
import { ConnectionLostError, type LocalFile, type RemoteEntry, type UploadOutcome, type Uploader } from "./uploader";

const CHUNK = 32 * 1024;
const IN_FLIGHT = 32;
const NO_SUCH_FILE = 2;

/** An SFTP destination: the SSH endpoint plus the remote directory. */
export interface SftpDestination extends SshEndpoint {
  directory: string;
}

type Sftp = ssh2.SFTPWrapper;

function call<T>(what: string, fn: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, v) => (err ? reject(Object.assign(err, { what })) : resolve(v as T))),
  );
}

/** Uploads into one directory of one SFTP host. */
export class SftpUploader implements Uploader {
  readonly target: string;
  private client?: ssh2.Client;
  private sftp?: Sftp;
  private lost?: Error;

  constructor(private readonly dest: SftpDestination) {
    this.target = `sftp://${dest.user}@${endpointLabel(dest.host, dest.port)}${dest.directory}`;
  }

  async connect(): Promise<void> {
    this.lost = undefined;
    const client = await connectSsh(this.dest);
    client.on("error", (err) => (this.lost = err));
    client.on("close", () => (this.lost ??= new Error("connection closed")));
    this.client = client;
    this.sftp = await call<Sftp>("start SFTP", (cb) => client.sftp(cb));
  }

  private s(): Sftp {
    if (this.lost || !this.sftp) throw this.connectionLost(this.lost);
    return this.sftp;
  }

  private connectionLost(cause?: unknown): ConnectionLostError {
    const why = cause instanceof Error ? cause.message : "not connected";
    return new ConnectionLostError(`Connection to "${this.target}" was lost: ${why}`, { cause });
  }

  /** Rewrites an SFTP error with context; a dropped transport becomes a ConnectionLostError. */
  private wrap(err: unknown, what: string): Error {
    if (err instanceof ConnectionLostError || err instanceof AgentError) return err;
    if (this.lost || /No response from server|Not connected|Channel not open/i.test(String((err as Error)?.message))) {
      return this.connectionLost(this.lost ?? err);
    }
    return new Error(`Cannot ${what} on "${this.target}": ${(err as Error).message}`, { cause: err });
  }

  private remote(name: string): string {
    return path.join(this.dest.directory, name);
  }

  async ensureDestination(): Promise<void> {
    const dirs: string[] = [];
    for (let d = this.dest.directory; d !== "/" && d !== "."; d = path.dirname(d)) dirs.unshift(d);
    for (const d of dirs) {
      const exists = await this.statOrNull(d);
      if (exists) continue;
      await call("mkdir", (cb) => this.s().mkdir(d, cb)).catch((err) => {
        throw this.wrap(err, `create directory "${d}"`);
      });
    }
  }

  async list(): Promise<RemoteEntry[]> {
    try {
      const entries = await call<ssh2.FileEntryWithStats[]>("readdir", (cb) => this.s().readdir(this.dest.directory, cb));
      return entries.map((e) => ({ name: e.filename, size: e.attrs.size, isFile: e.attrs.isFile() }));
    } catch (err) {
      throw this.wrap(err, `list "${this.dest.directory}"`);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await call("unlink", (cb) => this.s().unlink(this.remote(name), cb));
    } catch (err) {
      if ((err as { code?: number }).code === NO_SUCH_FILE) return;
      throw this.wrap(err, `remove "${name}"`);
    }
  }

  private async statOrNull(p: string): Promise<ssh2.Stats | null> {
    try {
      return await call<ssh2.Stats>("stat", (cb) => this.s().stat(p, cb));
    } catch (err) {
      if ((err as { code?: number }).code === NO_SUCH_FILE) return null;
      throw this.wrap(err, `stat "${p}"`);
    }
  }

  /**
   * 1. an identical final file → skip; 2. resume from `<name>.part` when it is not longer than the file;
   * 3. pipelined writes of the rest; 4. verify size and digest (a resumed part that fails the digest is
   * sent again from 0 once); 5. rename over the final name.
   */
  async upload(file: LocalFile, opts: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {}): Promise<UploadOutcome> {
    const final = this.remote(file.name);
    const part = `${final}.part`;
    const existing = await this.statOrNull(final);
    if (existing && existing.size === file.size && (await this.remoteDigest(final)) === file.sha256) {
      return { name: file.name, size: file.size, bytesSent: 0, resumedFrom: 0, verified: "sha256", skipped: true };
    }
    const partStat = await this.statOrNull(part);
    let resumedFrom = partStat && partStat.size <= file.size ? partStat.size : 0;
    let bytesSent = await this.sendFrom(file, part, resumedFrom, opts);
    let verified = await this.verify(file, part);
    if (verified === "mismatch" && resumedFrom > 0) {
      resumedFrom = 0;
      bytesSent += await this.sendFrom(file, part, 0, opts);
      verified = await this.verify(file, part);
    }
    if (verified === "mismatch") {
      throw new Error(`Upload of "${file.name}" to "${this.target}" failed verification: remote SHA-256 differs from the local archive`);
    }
    await this.renameOver(part, final);
    return { name: file.name, size: file.size, bytesSent, resumedFrom, verified, skipped: false };
  }

  private async sendFrom(
    file: LocalFile,
    part: string,
    offset: number,
    opts: { signal?: AbortSignal; onProgress?: (bytes: number) => void },
  ): Promise<number> {
    const sftp = this.s();
    let handle: Buffer;
    try {
      handle = await call<Buffer>("open", (cb) => sftp.open(part, offset > 0 ? "r+" : "w", 0o600, cb));
    } catch (err) {
      throw this.wrap(err, `open "${part}" for writing`);
    }
    const local = await open(file.path, "r");
    let sent = 0;
    try {
      const inflight: Promise<void>[] = [];
      for (let pos = offset; pos < file.size; ) {
        if (opts.signal?.aborted) throw new AgentError("cancelled", `Upload of "${file.name}" was cancelled`);
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, file.size - pos));
        const { bytesRead } = await local.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new Error(`Local archive "${file.path}" shrank while it was being uploaded`);
        const at = pos;
        const write = call<void>("write", (cb) => sftp.write(handle, buf, 0, bytesRead, at, cb)).then(() => {
          sent += bytesRead;
          opts.onProgress?.(bytesRead);
        });
        // Once one write fails the rest are abandoned; their rejections must not go unhandled.
        write.catch(() => undefined);
        inflight.push(write);
        pos += bytesRead;
        if (inflight.length >= IN_FLIGHT) await inflight.shift();
      }
      await Promise.all(inflight);
    } catch (err) {
      throw this.wrap(err, `write "${part}"`);
    } finally {
      await local.close();
      if (!this.lost) await call("close", (cb) => sftp.close(handle, cb)).catch(() => undefined);
    }
    return sent;
  }

  private async verify(file: LocalFile, part: string): Promise<"sha256" | "size" | "mismatch"> {
    const st = await this.statOrNull(part);
    if (!st || st.size !== file.size) {
      throw new Error(`Upload of "${file.name}" to "${this.target}" is incomplete: remote size ${st?.size ?? 0}, expected ${file.size}`);
    }
    const digest = await this.remoteDigest(part);
    if (digest === undefined) return "size";
    return digest === file.sha256 ? "sha256" : "mismatch";
  }

  /** SHA-256 of a remote file through `sha256sum` over an exec channel; undefined when exec is unavailable. */
  async remoteDigest(remotePath: string): Promise<string | undefined> {
    const client = this.client;
    if (!client || this.lost) throw this.connectionLost(this.lost);
    const quoted = `'${remotePath.replaceAll("'", "'\\''")}'`;
    return new Promise((resolve) => {
      client.exec(`sha256sum -- ${quoted}`, (err, stream) => {
        if (err) return resolve(undefined);
        // No input: an SFTP-only account runs its forced command instead, which then ends at EOF.
        stream.end();
        let out = "";
        stream.on("data", (d: Buffer) => (out += d.toString("utf8")));
        stream.stderr.resume();
        stream.on("close", (code: number | null) => {
          const m = /^([0-9a-f]{64})\s/.exec(out);
          resolve(code === 0 && m ? m[1] : undefined);
        });
      });
    });
  }

  private async renameOver(from: string, to: string): Promise<void> {
    const sftp = this.s();
    try {
      await call("posix-rename", (cb) => sftp.ext_openssh_rename(from, to, cb));
    } catch {
      // Servers without posix-rename@openssh.com refuse to rename over an existing file.
      await this.remove(path.basename(to));
      await call("rename", (cb) => sftp.rename(from, to, cb)).catch((err) => {
        throw this.wrap(err, `rename "${from}" to "${to}"`);
      });
    }
  }

  async close(): Promise<void> {
    this.sftp?.end();
    this.client?.end();
    this.sftp = undefined;
    this.client = undefined;
  }
}
