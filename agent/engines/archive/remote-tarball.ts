// The host side of the tarball methods on an SSH host (tarball.ts runs them): GNU tar runs on the host over
// an exec channel (tar-build.ts with the host's runner) and its stream is indexed, block-compressed and
// committed into the agent's repository exactly as a local tarball. The incremental snapshot stays on the
// agent; it visits the host (a 0600 file in a fresh 0700 directory) only for the run.
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { CommandRunner } from "../dump/runner";
import { SftpReadStream } from "@/agent/sources/ssh/sftp-source";
import { OPEN_FLAGS, type SftpClient } from "@/agent/sources/ssh/sftp-client";

/** An SSH host as the archive methods see it: commands over exec channels, files over SFTP (tarballs only). */
export interface RemoteTarHost {
  /** Host name in messages. */
  name: string;
  runner: CommandRunner;
  sftp?: SftpClient;
}

function sftpOf(host: RemoteTarHost): SftpClient {
  if (!host.sftp) throw new Error(`No SFTP session to "${host.name}"`);
  return host.sftp;
}

/** True when `target` exists on the host; an error other than "no such file" names the host and the cause. */
export async function remoteTargetExists(host: RemoteTarHost, target: string): Promise<boolean> {
  return sftpOf(host).stat(Buffer.from(target)).then(() => true, (err: { code?: string }) => {
    if (err.code === "ENOENT") return false;
    throw new Error(`Cannot read target "${target}" on "${host.name}": ${(err as unknown as Error).message}`, { cause: err });
  });
}

/**
 * The incremental snapshot's visit to the host for one tar run: a fresh 0700 directory holding
 * `snapshot.bin` (the agent's copy uploaded unless `master`); `fetch` brings tar's new snapshot back to
 * `local`; `remove` deletes the directory.
 */
export async function stageRemoteSnapshot(host: RemoteTarHost, agentCopy: string, master: boolean) {
  const dir = await makePrivateDir(host);
  const remote = path.posix.join(dir, "snapshot.bin");
  const remove = () => capture(host.runner, ["rm", "-rf", "--", dir]).then(() => undefined, () => undefined);
  try {
    if (!master) await uploadFile(host, agentCopy, remote);
  } catch (err) {
    await remove();
    throw err;
  }
  return { path: remote, fetch: (local: string) => downloadFile(host, remote, local), remove };
}

/** Runs a short command on the host; its standard output, or an error naming the host and the cause. */
async function capture(runner: CommandRunner, argv: string[]): Promise<string> {
  const cmd = runner.start(argv);
  let text = "";
  cmd.stdout.on("data", (d: Buffer) => (text += d.toString("utf8")));
  const exit = await cmd.done;
  if (exit.code !== 0) throw new Error(`"${argv[0]}" failed on "${runner.host}": ${exit.stderr.trim() || `exit ${exit.code}`}`);
  return text;
}

/** A fresh 0700 directory under the host's temporary folder. */
async function makePrivateDir(host: RemoteTarHost): Promise<string> {
  const dir = (await capture(host.runner, ["sh", "-c", 'umask 077 && mktemp -d "${TMPDIR:-/tmp}/strata-tar-XXXXXXXX"'])).trim();
  if (!dir.startsWith("/")) throw new Error(`Cannot create a private temporary directory on "${host.name}": mktemp printed "${dir}"`);
  return dir;
}

const WRITE_CHUNK = 32 * 1024;
const WRITES_IN_FLIGHT = 16;

/** Copies an agent file to a new 0600 file on the host (refuses to replace one). */
async function uploadFile(host: RemoteTarHost, local: string, remote: string): Promise<void> {
  const where = Buffer.from(remote);
  const sftp = sftpOf(host);
  try {
    const handle = await sftp.open(where, OPEN_FLAGS.WRITE | OPEN_FLAGS.CREAT | OPEN_FLAGS.EXCL, { mode: 0o600 });
    try {
      const fh = await open(local, "r");
      try {
        const writes: Promise<void>[] = [];
        for (let offset = 0; ; ) {
          const buf = Buffer.alloc(WRITE_CHUNK);
          const { bytesRead } = await fh.read(buf, 0, WRITE_CHUNK, offset);
          if (bytesRead === 0) break;
          const w = sftp.write(handle, offset, buf.subarray(0, bytesRead));
          w.catch(() => undefined); // awaited below
          writes.push(w);
          if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
          offset += bytesRead;
        }
        await Promise.all(writes);
      } finally {
        await fh.close();
      }
    } finally {
      await sftp.closeHandle(handle);
    }
  } catch (err) {
    throw new Error(`Cannot copy the incremental snapshot to "${host.name}": ${(err as Error).message}`, { cause: err });
  }
}

/** Copies a host file to `local` (created 0600, replaced). */
async function downloadFile(host: RemoteTarHost, remote: string, local: string): Promise<void> {
  const where = Buffer.from(remote);
  const sftp = sftpOf(host);
  try {
    const handle = await sftp.open(where, OPEN_FLAGS.READ);
    await pipeline(new SftpReadStream(sftp, handle, `read "${remote}"`), createWriteStream(local, { mode: 0o600 }));
  } catch (err) {
    throw new Error(`Cannot fetch the incremental snapshot from "${host.name}": ${(err as Error).message}`, { cause: err });
  }
}
