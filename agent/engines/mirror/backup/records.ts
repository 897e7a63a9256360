// Metadata records built from source entries, and rdiff-backup's "changed" test (§1.5) between two records.
import type { SourceEntry } from "@/agent/sources/types";
import type { MetaRecord, MetaType } from "../format/metadata-record";

const TYPE: Record<SourceEntry["type"], MetaType> = {
  file: "reg",
  dir: "dir",
  symlink: "sym",
  fifo: "fifo",
  socket: "sock",
  chardev: "dev",
  blockdev: "dev",
};

/** The metadata record of a source entry (no SHA1 yet; `symTarget` for symlinks). */
export function recordOf(path: Buffer, e: SourceEntry, symTarget?: Buffer): MetaRecord {
  const type = TYPE[e.type];
  const r: MetaRecord = {
    path,
    type,
    mtime: e.mtime,
    uid: e.uid,
    uname: e.uname ?? null,
    gid: e.gid,
    gname: e.gname ?? null,
    perms: type === "sym" ? 0o777 : e.mode,
  };
  if (type === "reg") {
    r.size = e.size;
    if (e.nlink > 1) {
      r.numHardLinks = e.nlink;
      r.inode = e.ino;
      r.deviceLoc = e.dev;
    }
  } else if (type === "sym") r.symData = symTarget ?? Buffer.alloc(0);
  else if (type === "dev") r.deviceNum = { kind: e.type === "blockdev" ? "b" : "c", major: e.rdev?.major ?? 0, minor: e.rdev?.minor ?? 0 };
  return r;
}

/** rdiff-backup's comparison: type, perms, owner, size, mtime, link target, device, hard-link identity. */
export function recordChanged(oldRec: MetaRecord, newRec: MetaRecord): boolean {
  const names = oldRec.uname != null && newRec.uname != null;
  const gnames = oldRec.gname != null && newRec.gname != null;
  return !sameFields(oldRec, newRec, { sha1: true, path: true, names: !names, gnames: !gnames });
}

/**
 * Field-by-field equality of the attributes a record serialises (false positives impossible: equal fields
 * serialise to equal bytes; a difference in an unserialised field only costs a redundant diff record).
 */
export function sameFields(a: MetaRecord, b: MetaRecord, ignore: { sha1?: boolean; path?: boolean; names?: boolean; gnames?: boolean } = {}): boolean {
  if (a.type !== b.type || a.perms !== b.perms || a.uid !== b.uid || a.gid !== b.gid) return false;
  if (!ignore.names && (a.uname ?? null) !== (b.uname ?? null)) return false;
  if (!ignore.gnames && (a.gname ?? null) !== (b.gname ?? null)) return false;
  if (!ignore.path && !a.path.equals(b.path)) return false;
  if (!ignore.sha1 && (a.sha1 !== b.sha1 || !bufEq(a.altIncName, b.altIncName) || !bufEq(a.altMirrorName, b.altMirrorName))) return false;
  if (a.type === "reg") {
    if (a.size !== b.size || (a.numHardLinks ?? 1) !== (b.numHardLinks ?? 1)) return false;
    if ((a.numHardLinks ?? 1) > 1 && (a.inode !== b.inode || a.deviceLoc !== b.deviceLoc)) return false;
    if (!bufEq(a.resourceFork, b.resourceFork) || !bufEq(a.carbonFile, b.carbonFile)) return false;
  }
  if (a.type === "sym") return bufEq(a.symData ?? EMPTY, b.symData ?? EMPTY);
  if (a.type === "dev") {
    const x = a.deviceNum, y = b.deviceNum;
    return x?.kind === y?.kind && x?.major === y?.major && x?.minor === y?.minor;
  }
  return a.mtime === b.mtime;
}

const EMPTY = Buffer.alloc(0);

function bufEq(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.equals(b));
}

/** Mode bits as the change set and the mirror apply them. */
export function typeOfRecord(r: MetaRecord): "file" | "dir" | "symlink" | "fifo" | "socket" | "chardev" | "blockdev" {
  switch (r.type) {
    case "dir":
      return "dir";
    case "sym":
      return "symlink";
    case "fifo":
      return "fifo";
    case "sock":
      return "socket";
    case "dev":
      return r.deviceNum?.kind === "b" ? "blockdev" : "chardev";
    default:
      return "file";
  }
}
