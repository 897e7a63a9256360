// Read-ahead of small files over SFTP: when the reader takes a directory's files in listing order (a first
// backup), the next small files are opened, read whole and closed before it asks, so a file costs it no round
// trip. Reads out of order (an incremental session reading only changed files) start nothing, as the kernel's
// sequential read-ahead does; memory is bounded by a byte and a file budget.
import { childPath } from "../types";
import type { SftpClient } from "./sftp-client";

/** Files no larger than this are read ahead, with one READ each: OpenSSH (limits@openssh.com) serves 255 KiB
 * per READ; other servers are trusted with the 32 KiB every SFTP server handles. */
const SMALL_FILE = { openssh: 255 * 1024, other: 32 * 1024 };
const MAX_WINDOW = 32;
const FIRST_WINDOW = 4;
const MAX_BYTES = 16 << 20;
/** Directories whose listing is remembered. */
const MAX_DIRS = 256;

type Fetched = Promise<Buffer | null>;

/** One file of a directory listing, as the read-ahead sees it. */
export interface ListedFile {
  name: Buffer;
  size: number;
}

export class ReadAhead {
  /** Directories listed lately: their small files, and how the reader went through them. */
  private dirs = new Map<string, DirState>();
  /** Files read ahead, by walk key (see walkKey). */
  private ahead = new Map<string, { data: Fetched; size: number }>();
  private bytes = 0;
  private readonly small: number;

  constructor(
    private readonly sftp: SftpClient,
    private readonly absOf: (path: Buffer) => Buffer,
  ) {
    this.small = sftp.extensions.has("limits@openssh.com") ? SMALL_FILE.openssh : SMALL_FILE.other;
  }

  /** Remembers the regular files of a directory just listed (sorted by name, as listed). */
  listed(dir: Buffer, files: ListedFile[]): void {
    const key = dir.toString("latin1");
    this.dirs.delete(key);
    this.dirs.set(key, { files, index: new Map(files.map((f, i) => [f.name.toString("latin1"), i])), last: -2, window: 0 });
    if (this.dirs.size > MAX_DIRS) {
      // The oldest directory that is not above this one: an ancestor's remaining files come after its subtree.
      for (const k of this.dirs.keys()) {
        if (k !== "" && !key.startsWith(`${k}/`)) {
          this.dirs.delete(k);
          break;
        }
      }
    }
  }

  /**
   * Called when the reader opens `path`: returns the file's bytes when they were read ahead (null: read it
   * normally), and reads further ahead when the reader goes through the directory in order.
   */
  async take(path: Buffer): Promise<Buffer | null> {
    const key = walkKey(path);
    const hit = this.ahead.get(key);
    for (const [k, v] of this.ahead) {
      if (k > key) continue;
      this.ahead.delete(k); // taken, or passed by the reader (excluded, or unchanged)
      this.bytes -= v.size;
    }
    const slash = path.lastIndexOf(0x2f);
    const dir = slash < 0 ? Buffer.alloc(0) : path.subarray(0, slash);
    const d = this.dirs.get(dir.toString("latin1"));
    const i = d?.index.get(path.subarray(slash + 1).toString("latin1"));
    if (d && i !== undefined) {
      const inOrder = hit !== undefined || i === 0 || (i > d.last && i <= d.last + d.window + 1);
      d.window = inOrder ? Math.min(MAX_WINDOW, Math.max(FIRST_WINDOW, d.window * 2)) : 0;
      d.last = i;
      for (let j = i + 1; j < d.files.length && j <= i + d.window; j++) this.fetch(childPath(dir, d.files[j].name), d.files[j].size);
    }
    return hit ? hit.data : null;
  }

  private fetch(path: Buffer, size: number): void {
    const key = walkKey(path);
    if (size > this.small || this.ahead.has(key) || this.bytes + size > MAX_BYTES) return;
    const data = readWhole(this.sftp, this.absOf(path), size);
    data.catch(() => undefined);
    this.ahead.set(key, { data, size });
    this.bytes += size;
  }
}

interface DirState {
  files: ListedFile[];
  index: Map<string, number>;
  /** Index of the file the reader opened last (-2: none yet), and how far ahead it is read. */
  last: number;
  window: number;
}

/** A path's position in walk order (depth first, names bytewise) as a string that sorts the same way. */
export function walkKey(path: Buffer): string {
  const b = Buffer.from(path);
  for (let i = 0; i < b.length; i++) if (b[i] === 0x2f) b[i] = 0; // "/" sorts before every name byte
  return b.toString("latin1");
}

/**
 * Open, one READ of the listed size plus one past it (end of file expected), close: all sent without waiting
 * but for the handle. Null when the file is not as listed (grew or shrank): the reader then streams it.
 */
async function readWhole(sftp: SftpClient, abs: Buffer, size: number): Promise<Buffer | null> {
  const handle = await sftp.open(abs, 1);
  try {
    const first = size > 0 ? sftp.read(handle, 0, size) : Promise.resolve(Buffer.alloc(0));
    const probe = sftp.read(handle, size, 1);
    first.catch(() => undefined);
    const [data, more] = await Promise.all([first, probe]);
    if (more !== null || (data?.length ?? 0) !== size) return null;
    return data ?? Buffer.alloc(0);
  } finally {
    void sftp.closeHandle(handle).catch(() => undefined);
  }
}
