// Metadata records built from source entries, and rdiff-backup's "changed" test (§1.5) between two records.
import type { SourceEntry } from "@/agent/sources/types";
import { serializeRecord, type MetaRecord, type MetaType } from "../format/metadata-record";

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
  const norm = (r: MetaRecord): Buffer =>
    serializeRecord({
      ...r,
      path: Buffer.alloc(0),
      sha1: undefined,
      altIncName: undefined,
      altMirrorName: undefined,
      uname: names ? r.uname : null,
      gname: gnames ? r.gname : null,
    });
  return !norm(oldRec).equals(norm(newRec));
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
