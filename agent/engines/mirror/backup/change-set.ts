// The session's change set: ChangeSetEntry values (lib/schemas/change-set.ts) built from metadata
// records, sent to EngineCallbacks.onChange and optionally written as NDJSON (header line first).
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { ChangeSetEntry, ChangeSetHeader } from "@/lib/schemas/change-set";
import type { MetaRecord } from "../format/metadata-record";
import { typeOfRecord } from "./records";

const linkedSha1 = new WeakMap<MetaRecord, string>();

/** Remembers the SHA1 of a hard link whose record carries none (only a group's first path has SHA1Digest). */
export function noteLinkedSha1(rec: MetaRecord, sha1: string | undefined): void {
  if (sha1) linkedSha1.set(rec, sha1);
}

/** A change-set entry for one path, from the record that describes it (new/changed: now; deleted: before). */
export function changeEntry(change: ChangeSetEntry["change"], rec: MetaRecord): ChangeSetEntry {
  const text = rec.path.toString("utf8");
  const e: ChangeSetEntry = { v: 1, change, path: text, type: typeOfRecord(rec) };
  if (!Buffer.from(text, "utf8").equals(rec.path)) e.pathBase64 = rec.path.toString("base64");
  if (rec.type === "reg") e.size = rec.size ?? 0;
  if (rec.mtime !== undefined && rec.type !== "sym") e.mtime = rec.mtime;
  if (rec.perms !== undefined) e.mode = rec.perms;
  if (rec.uid !== undefined) e.uid = rec.uid;
  if (rec.gid !== undefined) e.gid = rec.gid;
  const sha1 = rec.sha1 ?? linkedSha1.get(rec);
  if (sha1) e.sha1 = sha1;
  if (rec.type === "sym" && rec.symData) e.linkTarget = rec.symData.toString("utf8");
  return e;
}

/** NDJSON change-set file writer: header line, then one line per entry. */
export class ChangeSetFile {
  private out: WriteStream;

  constructor(file: string, header: ChangeSetHeader) {
    this.out = createWriteStream(file);
    this.out.write(JSON.stringify(header) + "\n");
  }

  async write(e: ChangeSetEntry): Promise<void> {
    if (!this.out.write(JSON.stringify(e) + "\n")) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    const done = once(this.out, "close");
    this.out.end();
    await done;
  }
}
