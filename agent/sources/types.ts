// The Source interface: what a backup reads (a local directory today, an SSH/SFTP host later).
// Paths are Buffers relative to the source root, components joined by "/" ("" = the root itself).
import type { Readable } from "node:stream";

/** Kind of a filesystem entry, as the change set and the catalogue name it. */
export type SourceEntryType = "file" | "dir" | "symlink" | "fifo" | "socket" | "chardev" | "blockdev";

/** One lstat-like entry of a source. Names are raw bytes: non-UTF-8 names are legal. */
export interface SourceEntry {
  /** Last path component ("" for the root). */
  name: Buffer;
  type: SourceEntryType;
  /** Permission bits (st_mode & 07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Owner names when the source knows them. */
  uname?: string;
  gname?: string;
  /** Bytes for regular files, 0 otherwise. */
  size: number;
  /** Modification time, integer epoch seconds. */
  mtime: number;
  ino: number;
  /** Device the entry lives on (st_dev), for --exclude-other-filesystems and hard-link identity. */
  dev: number;
  nlink: number;
  /** Device numbers of char/block devices. */
  rdev?: { major: number; minor: number };
}

/** Read access to a tree. Every method is async; file data is streamed. */
export interface Source {
  /** The source location as the user named it (selection globs match against it). */
  readonly root: Buffer;
  /** lstat of one path. */
  stat(path: Buffer): Promise<SourceEntry>;
  /** Entries of a directory, lstat'ed, sorted bytewise by name. */
  list(dir: Buffer): Promise<SourceEntry[]>;
  /** Target of a symlink, raw bytes. */
  readlink(path: Buffer): Promise<Buffer>;
  /** A stream of a regular file's bytes; `sizeHint` (the listed size) lets small files use small buffers. */
  openRead(path: Buffer, sizeHint?: number): Promise<Readable>;
  close(): Promise<void>;
}

/** Joins a relative directory path and a child name ("" parent = the root). */
export function childPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 0 ? Buffer.from(name) : Buffer.concat([dir, SLASH, name]);
}

/** Splits a relative path into its components ([] for the root). */
export function splitPath(path: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  if (path.length === 0) return parts;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      parts.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

const SLASH = Buffer.from("/");
