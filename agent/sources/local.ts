// Source over a local directory: lstat, readdir and read streams through node:fs with Buffer paths.
import { promises as fsp, type BigIntStats } from "node:fs";
import type { Readable } from "node:stream";
import { AgentError } from "../errors";
import { childPath, type Source, type SourceEntry, type SourceEntryType } from "./types";
import { ownerNames } from "./owner-names";

/** Opens a local directory as a Source; fails clearly when it is missing or not a directory. */
export async function openLocalSource(rootPath: string): Promise<Source> {
  const root = Buffer.from(rootPath.length > 1 ? rootPath.replace(/\/+$/, "") : rootPath);
  let st: BigIntStats;
  let real: Buffer;
  try {
    st = await fsp.stat(root, { bigint: true });
    real = (await fsp.realpath(root, { encoding: "buffer" })) as Buffer;
  } catch (err) {
    throw new AgentError("fatal", `Cannot open source "${rootPath}": ${describe(err)}`, { cause: err });
  }
  if (!st.isDirectory()) throw new AgentError("fatal", `Cannot open source "${rootPath}": not a directory`);
  return new LocalSource(root, real);
}

/** lstat calls of one listing in flight at once (latency, not CPU, is what a listing waits for). */
const LSTAT_BATCH = 64;

class LocalSource implements Source {
  private names = ownerNames();
  /** `root` as the user named it (selection matches it); `real` the resolved directory (a symlinked root is followed). */
  constructor(
    readonly root: Buffer,
    private readonly real: Buffer,
  ) {}

  private abs(path: Buffer): Buffer {
    return path.length === 0 ? this.real : Buffer.concat([this.real, Buffer.from("/"), path]);
  }

  async stat(path: Buffer): Promise<SourceEntry> {
    const st = await fsp.lstat(this.abs(path), { bigint: true });
    const parts = path.length ? path.subarray(path.lastIndexOf(0x2f) + 1) : Buffer.alloc(0);
    return this.toEntry(Buffer.from(parts), st);
  }

  async list(dir: Buffer): Promise<SourceEntry[]> {
    const names = (await fsp.readdir(this.abs(dir), { encoding: "buffer" })) as Buffer[];
    names.sort(Buffer.compare);
    const out: SourceEntry[] = [];
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH).map(async (name) => {
        try {
          return this.toEntry(name, await fsp.lstat(this.abs(childPath(dir, name)), { bigint: true }));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined; // vanished since readdir
          throw err;
        }
      });
      for (const e of await Promise.all(batch)) if (e) out.push(e);
    }
    return out;
  }

  async readlink(path: Buffer): Promise<Buffer> {
    return (await fsp.readlink(this.abs(path), { encoding: "buffer" })) as Buffer;
  }

  async openRead(path: Buffer, sizeHint?: number): Promise<Readable> {
    const fh = await fsp.open(this.abs(path), "r");
    const hwm = sizeHint === undefined ? 256 * 1024 : Math.min(256 * 1024, Math.max(4096, sizeHint + 1));
    return fh.createReadStream({ highWaterMark: hwm });
  }

  async close(): Promise<void> {}

  private toEntry(name: Buffer, st: BigIntStats): SourceEntry {
    const uid = Number(st.uid);
    const gid = Number(st.gid);
    const rdev = Number(st.rdev);
    const type = typeOf(st);
    return {
      name,
      type,
      mode: Number(st.mode & 0o7777n),
      uid,
      gid,
      uname: this.names.user(uid),
      gname: this.names.group(gid),
      size: type === "file" ? Number(st.size) : 0,
      mtime: Number(st.mtimeNs / 1_000_000_000n) - (st.mtimeNs < 0n && st.mtimeNs % 1_000_000_000n !== 0n ? 1 : 0),
      ino: Number(st.ino),
      dev: Number(st.dev),
      nlink: Number(st.nlink),
      rdev: type === "chardev" || type === "blockdev" ? { major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) } : undefined,
    };
  }
}

function typeOf(st: BigIntStats): SourceEntryType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFIFO()) return "fifo";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice()) return "chardev";
  return "blockdev";
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  return err instanceof Error ? err.message : String(err);
}
