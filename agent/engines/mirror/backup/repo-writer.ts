// Every write a mirror session makes to the repository: mirror entries, increments, attributes, temp files.
// Paths are absolute Buffers; each write is counted for the crash-test hook.
import { execFile } from "node:child_process";
import { chmodSync, chownSync, createWriteStream, lstatSync, promises as fsp, utimesSync } from "node:fs";
import { promisify } from "node:util";
import { countWrite } from "./write-hook";

const run = promisify(execFile);

/** Attributes applied to a repository entry. */
export interface Attrs {
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

/** Thrown for failures reading the source, so they become per-item errors, not session failures. */
export class SourceReadError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
  }
}

let tmpCounter = 0;
export const isRoot = process.getuid?.() === 0;

/** Name for a temp file in `dir` (rdiff-backup's spelling, which regress and readers ignore). */
export function tempIn(dir: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from(`/rdiff-backup.tmp.${process.pid}-${++tmpCounter}`)]);
}

/** Streams chunks into a new file; source-side failures surface as SourceReadError. Returns the byte count. */
export async function writeChunks(path: Buffer, chunks: AsyncIterable<Buffer>, mode = 0o600, fsync = false): Promise<number> {
  countWrite();
  const out = createWriteStream(path as unknown as string, { mode, flags: "wx" });
  let failure: Error | undefined;
  out.on("error", (e) => (failure ??= e));
  const settled = () => new Promise<void>((res) => {
    if (failure || out.closed) return res();
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      res();
    };
    out.on("drain", done);
    out.on("close", done);
  });
  let bytes = 0;
  try {
    const it = chunks[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (err) {
        throw err instanceof SourceReadError ? err : new SourceReadError(err);
      }
      if (next.done) break;
      countWrite();
      bytes += next.value.length;
      if (!out.write(next.value)) await settled();
      if (failure) throw failure;
    }
    await new Promise<void>((res) => (out.closed ? res() : (out.once("close", res), out.end())));
    if (failure) throw failure;
    if (fsync) {
      const fh = await fsp.open(path, "r");
      await fh.sync().finally(() => fh.close());
    }
  } catch (err) {
    out.destroy();
    await fsp.unlink(path).catch(() => undefined);
    throw err;
  }
  return bytes;
}

/** Sets mode, owner (when root) and mtime; symlinks get owner only. */
export async function setAttrs(path: Buffer, a: Attrs, symlink = false): Promise<void> {
  countWrite();
  if (symlink) {
    if (isRoot && a.uid !== undefined) await fsp.lchown(path, a.uid, a.gid ?? 0).catch(() => undefined);
    return;
  }
  if (isRoot && a.uid !== undefined) await fsp.chown(path, a.uid, a.gid ?? 0);
  if (a.mode !== undefined) await fsp.chmod(path, a.mode & 0o7777);
  if (a.mtime !== undefined) await fsp.utimes(path, a.mtime, a.mtime);
}

/**
 * setAttrs for an existing directory of the mirror, synchronously, changing only what differs (a directory
 * close of an incremental session mostly needs its mtime back, its mode and owner are already right).
 */
export function setDirAttrsSync(path: Buffer, a: Attrs): void {
  countWrite();
  const st = lstatSync(path, { bigint: true });
  const chown = isRoot && a.uid !== undefined && (BigInt(a.uid) !== st.uid || BigInt(a.gid ?? 0) !== st.gid);
  if (chown) chownSync(path, a.uid!, a.gid ?? 0); // may clear set-id bits: then chmod whatever the old mode
  if (a.mode !== undefined && (chown || BigInt(a.mode & 0o7777) !== (st.mode & 0o7777n))) chmodSync(path, a.mode & 0o7777);
  if (a.mtime !== undefined && (st.mtimeNs !== BigInt(a.mtime) * 1_000_000_000n || st.atimeNs !== st.mtimeNs)) utimesSync(path, a.mtime, a.mtime);
}

export async function mkdirAt(path: Buffer, mode = 0o700): Promise<void> {
  countWrite();
  await fsp.mkdir(path, { mode });
}

/** mkdir -p for increment directories. */
export async function mkdirs(path: Buffer): Promise<void> {
  countWrite();
  await fsp.mkdir(path, { recursive: true, mode: 0o700 });
}

export async function renameAt(from: Buffer, to: Buffer): Promise<void> {
  countWrite();
  await fsp.rename(from, to);
}

/** Removes any entry (recursively for directories); missing is fine. */
export async function removeAt(path: Buffer): Promise<void> {
  countWrite();
  await fsp.rm(path, { recursive: true, force: true });
}

export async function symlinkAt(target: Buffer, path: Buffer): Promise<void> {
  countWrite();
  await fsp.symlink(target as unknown as string, path);
}

export async function linkAt(existing: Buffer, path: Buffer): Promise<void> {
  countWrite();
  await fsp.link(existing, path);
}

/** Creates an empty regular file. */
export async function touchAt(path: Buffer, mode = 0o600): Promise<void> {
  countWrite();
  const fh = await fsp.open(path, "wx", mode);
  await fh.close();
}

/** Creates a fifo, socket or device node (mknod / python3, which Node cannot do) via an ASCII scratch name. */
export async function mkspecialAt(
  path: Buffer,
  kind: "fifo" | "sock" | "dev",
  scratchDir: string,
  dev?: { kind: string; major: number; minor: number },
): Promise<void> {
  countWrite();
  const p = `${scratchDir}/rdiff-backup.tmp.special-${process.pid}-${++tmpCounter}`;
  if (kind === "fifo") await run("mknod", ["--", p, "p"]);
  else if (kind === "dev" && dev) await run("mknod", ["--", p, dev.kind === "b" ? "b" : "c", String(dev.major), String(dev.minor)]);
  else await run("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", p]);
  await fsp.rename(p, path);
}

/** fsync of a directory (makes renames and creations in it durable). */
export async function syncDir(path: Buffer | string): Promise<void> {
  const fh = await fsp.open(path, "r");
  await fh.sync().catch(() => undefined);
  await fh.close();
}
