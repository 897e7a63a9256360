// Tarball methods of an SSH host: GNU tar runs on the host over an exec channel and its stream is indexed,
// block-compressed and committed into the agent's repository exactly as a local tarball. The incremental
// snapshot stays on the agent; it visits the host (a 0600 file in a fresh 0700 directory) only for the run.
import { createWriteStream } from "node:fs";
import { chmod, lstat, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { CommandRunner } from "../dump/runner";
import { SftpReadStream } from "@/agent/sources/ssh/sftp-source";
import { OPEN_FLAGS, type SftpClient } from "@/agent/sources/ssh/sftp-client";
import { writeAtomically } from "./atomic-file";
import { blacklistFor } from "./blacklist";
import { BlockCompressor, DEFAULT_BLOCK_SIZE } from "./compress";
import type { FileHashes } from "./hashes";
import { writeIndex } from "./index-format";
import { formatDay, snapshotName, tarballArchiveName, tarballCompression } from "./naming";
import { tarArgv, type TarBuildOptions } from "./tar-build";
import { TarIndexer } from "./tar-indexer";
import { commitArchive, isMasterDay, type ArchiveContext, type MethodOutcome, type TarballSettings } from "./tarball";

/** The host side of a remote tarball run: commands over exec channels, files over SFTP. */
export interface RemoteTarHost {
  /** Host name in messages. */
  name: string;
  runner: CommandRunner;
  sftp: SftpClient;
}

const NOISE = /^tar: Removing leading `\/' from /;
const exists = (p: string) => lstat(p).then(() => true, () => false);

/** Runs the tarball (or tarball-incremental) method over every target, tar running on the host. */
export async function runRemoteTarballMethod(ctx: ArchiveContext, s: TarballSettings, host: RemoteTarHost): Promise<MethodOutcome> {
  if (s.fileType === "zip") throw new Error(`Zip archives cannot be made on SSH host "${host.name}": use a tar file type`);
  const out: MethodOutcome = { outputs: [], errors: 0, members: 0, bytes: 0 };
  for (const target of s.targets) {
    try {
      await archiveRemoteTarget(ctx, s, host, target, out);
    } catch (err) {
      const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === "ENOSPC" || code === "EDQUOT" || ctx.callbacks.signal?.aborted) throw err;
      out.errors++;
      ctx.callbacks.onItemError?.(target, err as Error);
    }
  }
  return out;
}

async function archiveRemoteTarget(ctx: ArchiveContext, s: TarballSettings, host: RemoteTarHost, target: string, out: MethodOutcome): Promise<void> {
  const log = (l: string) => ctx.callbacks.onLog?.(l);
  const { skipTarget, excludes } = blacklistFor(target, s.blacklist);
  if (skipTarget) return log(`Target "${target}" is found in blacklist, skipping.`);
  const found = await host.sftp.stat(Buffer.from(target)).then(() => true, (err: { code?: string }) => {
    if (err.code === "ENOENT") return false;
    throw new Error(`Cannot read target "${target}" on "${host.name}": ${(err as unknown as Error).message}`, { cause: err });
  });
  if (!found) throw new Error(`Target "${target}" does not exist on "${host.name}"`);
  const base = { prefix: ctx.prefix, target, format: s.nameFormat, day: formatDay(ctx.now), type: s.fileType };
  const masterName = tarballArchiveName({ ...base, master: true });
  const incName = tarballArchiveName({ ...base, master: false });
  for (const n of [masterName, incName]) {
    if (await exists(path.join(ctx.repository, n))) return log(`File "${path.join(ctx.repository, n)}" already exists, skipping.`);
  }
  const snapshot = path.join(ctx.repository, snapshotName(ctx.prefix, target, s.nameFormat));
  let master = true;
  if (s.incremental) {
    master = isMasterDay(ctx.now, s.incremental) || !(await exists(snapshot));
    if (master) log(`Building master backup for target: "${target}".`);
  }
  const name = master ? masterName : incName;
  const file = path.join(ctx.repository, name);
  const build: TarBuildOptions = {
    target,
    output: file,
    compression: tarballCompression(s.fileType),
    excludes,
    dumpSymlinks: s.dumpSymlinks,
    extraOptions: s.extraOptions,
    niceLevel: ctx.niceLevel,
    blockSize: ctx.blockSize,
    signal: ctx.callbacks.signal,
  };
  const work = s.incremental ? `${snapshot}.part` : undefined;
  const remoteDir = work ? await makePrivateDir(host) : undefined;
  try {
    if (remoteDir) {
      build.snapshot = path.posix.join(remoteDir, "snapshot.bin");
      if (!master) await uploadFile(host, snapshot, build.snapshot);
    }
    const res = await writeAtomically(file, async (part) => {
      const r = await streamRemoteTar(host, build, part);
      // The new snapshot comes back before the archive is renamed into place: no archive without its snapshot.
      if (work) await downloadFile(host, build.snapshot!, work);
      return r;
    });
    if (work) {
      await chmod(work, 0o600); // lists every file name: readable by its owner only, as backup-manager leaves it
      await rename(work, snapshot);
    }
    await writeIndex(file, { v: 1, kind: "tar", compression: build.compression, archiveSize: (await stat(file)).size, tarSize: res.tarSize, blockSize: build.blockSize ?? DEFAULT_BLOCK_SIZE, blocks: res.blocks, members: res.members }, ctx.permissions.archiveMode ?? 0o600);
    out.members += res.members.length;
    if (res.tarExit === 1) {
      out.errors++;
      ctx.callbacks.onItemError?.(target, new Error(`Tar reported a file changed during archive creation on "${host.name}": ${res.warnings.join("; ")}`));
    }
    await commitArchive(ctx, name, out, res.hashes);
  } finally {
    if (work) await rm(work, { force: true });
    if (remoteDir) await capture(host.runner, ["rm", "-rf", "--", remoteDir]).catch(() => undefined);
  }
}

/** One tar stream from the host into `part`: indexed, block-compressed, hashed; tar's exit checked at the end. */
async function streamRemoteTar(host: RemoteTarHost, o: TarBuildOptions, part: string) {
  const fh = await open(part, "w", 0o600);
  const cmd = host.runner.start(tarArgv(o), { env: { LC_ALL: "C" } });
  const kill = () => cmd.kill();
  o.signal?.addEventListener("abort", kill, { once: true });
  try {
    const indexer = new TarIndexer();
    // The compressor shows the indexer each chunk, as for a local tarball (tar-build.ts).
    const sink = new BlockCompressor(fh, o.compression, o.blockSize ?? DEFAULT_BLOCK_SIZE, undefined, indexer.observe);
    await pipeline(cmd.stdout, sink, { signal: o.signal });
    await fh.sync();
    const exit = await cmd.done;
    const warnings = exit.stderr.split("\n").filter((l) => l.trim() !== "" && !NOISE.test(l));
    if (exit.code !== 0 && exit.code !== 1) {
      const how = exit.signal ? `killed by ${exit.signal}` : exit.code === null ? "could not start" : `exit ${exit.code}`;
      throw new Error(`tar failed on "${o.target}" on "${host.name}" (${how}): ${warnings.join("; ") || "no message"}`);
    }
    if (indexer.bytes === 0) throw new Error(`tar wrote nothing for "${o.target}" on "${host.name}"`);
    const c = sink.result();
    const hashes: FileHashes = { md5: c.md5, sha256: c.sha256, size: c.bytesOut };
    return { tarExit: exit.code as 0 | 1, warnings, hashes, members: indexer.members, tarSize: indexer.bytes, blocks: c.blocks.map((b) => [b.u, b.c] as [number, number]) };
  } catch (err) {
    cmd.kill();
    throw err;
  } finally {
    o.signal?.removeEventListener("abort", kill);
    await fh.close();
  }
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
  try {
    const handle = await host.sftp.open(where, OPEN_FLAGS.WRITE | OPEN_FLAGS.CREAT | OPEN_FLAGS.EXCL, { mode: 0o600 });
    try {
      const fh = await open(local, "r");
      try {
        const writes: Promise<void>[] = [];
        for (let offset = 0; ; ) {
          const buf = Buffer.alloc(WRITE_CHUNK);
          const { bytesRead } = await fh.read(buf, 0, WRITE_CHUNK, offset);
          if (bytesRead === 0) break;
          const w = host.sftp.write(handle, offset, buf.subarray(0, bytesRead));
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
      await host.sftp.closeHandle(handle);
    }
  } catch (err) {
    throw new Error(`Cannot copy the incremental snapshot to "${host.name}": ${(err as Error).message}`, { cause: err });
  }
}

/** Copies a host file to `local` (created 0600, replaced). */
async function downloadFile(host: RemoteTarHost, remote: string, local: string): Promise<void> {
  const where = Buffer.from(remote);
  try {
    const handle = await host.sftp.open(where, OPEN_FLAGS.READ);
    await pipeline(new SftpReadStream(host.sftp, handle, `read "${remote}"`), createWriteStream(local, { mode: 0o600 }));
  } catch (err) {
    throw new Error(`Cannot fetch the incremental snapshot from "${host.name}": ${(err as Error).message}`, { cause: err });
  }
}
