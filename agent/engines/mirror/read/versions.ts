// The `read` API for catalogue import: walks every session of an existing repository, oldest first, and
// emits each as a change set (header, then new/changed/deleted entries) in lib/schemas/change-set.ts form.
import type { ChangeSetEntry, ChangeSetHeader, EntryType } from "@/lib/schemas/change-set";
import { collate, readMetadataAt } from "../format/metadata-chain";
import type { MetaRecord } from "../format/metadata-record";
import { isUtf8Safe } from "../format/fs-path";
import { sameState } from "./list";
import type { MirrorRepo } from "./repository";

function entryType(r: MetaRecord): EntryType {
  switch (r.type) {
    case "reg": return "file";
    case "dir": return "dir";
    case "sym": return "symlink";
    case "fifo": return "fifo";
    case "sock": return "socket";
    default: return r.deviceNum?.kind === "b" ? "blockdev" : "chardev";
  }
}

/** Converts a metadata record to a change-set entry (`sha1` filled from the hard-link group when missing). */
export function toChangeSetEntry(change: ChangeSetEntry["change"], r: MetaRecord, sha1?: string): ChangeSetEntry {
  const e: ChangeSetEntry = { v: 1, change, path: r.path.toString("utf8"), type: entryType(r) };
  if (!isUtf8Safe(r.path)) e.pathBase64 = r.path.toString("base64");
  if (change === "deleted") return e;
  if (r.type === "reg") e.size = r.size ?? 0;
  if (r.mtime !== undefined) e.mtime = r.mtime;
  if (r.perms !== undefined) e.mode = r.perms;
  if (r.uid !== undefined) e.uid = r.uid;
  if (r.gid !== undefined) e.gid = r.gid;
  const digest = r.sha1 ?? sha1;
  if (r.type === "reg" && digest) e.sha1 = digest;
  if (r.type === "sym" && r.symData) e.linkTarget = r.symData.toString("utf8");
  return e;
}

/** Header and entries of every session, oldest first: the first session lists every path as new. */
export async function* readVersions(repo: MirrorRepo): AsyncGenerator<ChangeSetHeader | ChangeSetEntry> {
  let prev: number | null = null;
  for (const time of repo.sessions) {
    yield { v: 1, kind: "header", format: "mirror", time, previousTime: prev };
    const groups = new Map<string, string>();
    const cur = readMetadataAt(repo.root, time, repo.metadataFiles);
    const old: AsyncIterable<MetaRecord> = prev === null ? (async function* () {})() : readMetadataAt(repo.root, prev, repo.metadataFiles);
    for await (const [o, c] of collate([old, cur])) {
      if (c && c.type === "reg" && (c.numHardLinks ?? 1) > 1 && c.sha1) groups.set(`${c.inode}:${c.deviceLoc}`, c.sha1);
      const groupSha = c && (c.numHardLinks ?? 1) > 1 ? groups.get(`${c.inode}:${c.deviceLoc}`) : undefined;
      if (!o && c) yield toChangeSetEntry("new", c, groupSha);
      else if (o && !c) yield toChangeSetEntry("deleted", o);
      else if (o && c && (!sameState(o, c) || o.sha1 !== c.sha1)) yield toChangeSetEntry("changed", c, groupSha);
    }
    prev = time;
  }
}
