// One mirror_metadata record (§1.6 of the rdiff-backup format): its fields, byte-exact serialisation,
// parsing of one record's text, path quoting, and the path-component sort order records follow.

/** File types as mirror_metadata spells them; null = `Type None` (path absent at that time). */
export type MetaType = "reg" | "dir" | "sym" | "fifo" | "sock" | "dev";

/** Attributes of one path at one session. `path` is the raw relative path, empty for the root. */
export interface MetaRecord {
  path: Buffer;
  type: MetaType | null;
  size?: number;
  resourceFork?: Buffer;
  carbonFile?: Buffer;
  numHardLinks?: number;
  inode?: number;
  deviceLoc?: number;
  sha1?: string;
  symData?: Buffer;
  deviceNum?: { kind: string; major: number; minor: number };
  mtime?: number;
  uid?: number;
  uname?: string | null;
  gid?: number;
  gname?: string | null;
  perms?: number;
  altMirrorName?: Buffer;
  altIncName?: Buffer;
}

const SLASH = 0x2f;

/** Bytewise order of path-component tuples (root first; `dir1/x` before `dir1.txt`). */
export function comparePaths(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (x === SLASH) return -1;
    if (y === SLASH) return 1;
    return x - y;
  }
  return a.length - b.length;
}

/** Metadata path quoting: `\` → `\\`, newline → `\n`; everything else stays raw. */
export function quotePath(p: Buffer): Buffer {
  if (!p.includes(0x5c) && !p.includes(0x0a)) return p;
  const out: number[] = [];
  for (const c of p) {
    if (c === 0x5c) out.push(0x5c, 0x5c);
    else if (c === 0x0a) out.push(0x5c, 0x6e);
    else out.push(c);
  }
  return Buffer.from(out);
}

/** Inverse of quotePath; a backslash not starting `\\` or `\n` stays as it is (as upstream). */
export function unquotePath(q: Buffer): Buffer {
  if (!q.includes(0x5c)) return q;
  const out: number[] = [];
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (c !== 0x5c || i + 1 >= q.length) { out.push(c); continue; }
    const d = q[i + 1];
    if (d === 0x6e) { out.push(0x0a); i++; }
    else if (d === 0x5c) { out.push(0x5c); i++; }
    else out.push(c);
  }
  return Buffer.from(out);
}

/** The `File` value of a record: `.` for the root, else the quoted path. */
export function recordName(p: Buffer): Buffer {
  return p.length === 0 ? Buffer.from(".") : quotePath(p);
}

/** Serialises a record exactly as rdiff-backup 2.2 writes it (key order, indentation, `:` for no name). */
export function serializeRecord(r: MetaRecord): Buffer {
  return Buffer.from(serializeRecordLatin1(r), "latin1");
}

/** Latin-1 text of a UTF-8 owner name (its bytes one char each); names repeat, so they are cached. */
const nameBytes = new Map<string, string>();
function latin1Name(n: string | null | undefined): string {
  if (!n) return ":";
  let t = nameBytes.get(n);
  if (t === undefined) {
    t = Buffer.from(n, "utf8").toString("latin1");
    if (nameBytes.size < 10_000) nameBytes.set(n, t);
  }
  return t;
}

/** serializeRecord as a Latin-1 string (one char per byte): one string build instead of dozens of Buffers. */
export function serializeRecordLatin1(r: MetaRecord): string {
  let s = "File " + (r.path.length === 0 ? "." : quotePath(r.path).toString("latin1")) + "\n  Type " + (r.type ?? "None") + "\n";
  if (r.type === null) return s;
  if (r.type === "reg") {
    s += "  Size " + String(r.size ?? 0) + "\n";
    if (r.resourceFork) s += "  ResourceFork " + r.resourceFork.toString("latin1") + "\n";
    if (r.carbonFile) s += "  CarbonFile " + r.carbonFile.toString("latin1") + "\n";
    if (r.numHardLinks !== undefined && r.numHardLinks > 1) {
      s += "  NumHardLinks " + String(r.numHardLinks) + "\n  Inode " + String(r.inode ?? 0) + "\n  DeviceLoc " + String(r.deviceLoc ?? 0) + "\n";
    }
    if (r.sha1) s += "  SHA1Digest " + Buffer.from(r.sha1).toString("latin1") + "\n";
  } else if (r.type === "sym") {
    s += "  SymData " + quotePath(r.symData ?? Buffer.alloc(0)).toString("latin1") + "\n";
  } else if (r.type === "dev") {
    const d = r.deviceNum ?? { kind: "c", major: 0, minor: 0 };
    s += "  DeviceNum " + Buffer.from(`${d.kind} ${d.major} ${d.minor}`).toString("latin1") + "\n";
  }
  if (r.type !== "sym" && r.type !== "dev") s += "  ModTime " + String(r.mtime ?? 0) + "\n";
  s += "  Uid " + String(r.uid ?? 0) + "\n  Uname " + latin1Name(r.uname) + "\n  Gid " + String(r.gid ?? 0) + "\n  Gname " +
    latin1Name(r.gname) + "\n  Permissions " + String(r.perms ?? 0) + "\n";
  if (r.altMirrorName) s += "  AlternateMirrorName " + r.altMirrorName.toString("latin1") + "\n";
  else if (r.altIncName) s += "  AlternateIncrementName " + r.altIncName.toString("latin1") + "\n";
  return s;
}

const TYPES = new Set(["reg", "dir", "sym", "fifo", "sock", "dev"]);
const INT_FIELDS: Record<string, keyof MetaRecord> = {
  Size: "size", NumHardLinks: "numHardLinks", Inode: "inode", DeviceLoc: "deviceLoc",
  ModTime: "mtime", Uid: "uid", Gid: "gid", Permissions: "perms",
};

/** Applies one `Key value` field line to a record; unknown keys are reported through `onUnknown`. */
export function applyField(r: MetaRecord, key: string, value: Buffer, onUnknown?: (key: string) => void): void {
  applyFieldText(r, key, value.toString("latin1"), onUnknown);
}

/** UTF-8 decoding of a Latin-1 (byte per char) owner name; names repeat, so they are cached. */
const utf8Names = new Map<string, string>();
function utf8Name(v: string): string {
  let n = utf8Names.get(v);
  if (n === undefined) {
    n = Buffer.from(v, "latin1").toString("utf8");
    if (utf8Names.size < 10_000) utf8Names.set(v, n);
  }
  return n;
}

/** applyField with the value as Latin-1 text (one char per byte), as the streaming parser reads it. */
export function applyFieldText(r: MetaRecord, key: string, v: string, onUnknown?: (key: string) => void): void {
  const intKey = INT_FIELDS[key];
  if (intKey) {
    (r as unknown as Record<string, number>)[intKey] = Number.parseInt(v, 10);
    return;
  }
  const none = v === ":" || v === "None";
  switch (key) {
    case "Type": r.type = !none && TYPES.has(v) ? (v as MetaType) : null; break;
    case "SHA1Digest": r.sha1 = none ? undefined : v; break;
    case "Uname": r.uname = none ? null : utf8Name(v); break;
    case "Gname": r.gname = none ? null : utf8Name(v); break;
    case "SymData": r.symData = unquotePath(Buffer.from(v, "latin1")); break;
    case "DeviceNum": {
      const [kind, major, minor] = v.split(" ");
      r.deviceNum = { kind, major: Number(major), minor: Number(minor) };
      break;
    }
    case "ResourceFork": r.resourceFork = Buffer.from(v, "latin1"); break;
    case "CarbonFile": r.carbonFile = Buffer.from(v, "latin1"); break;
    case "AlternateMirrorName": r.altMirrorName = Buffer.from(v, "latin1"); break;
    case "AlternateIncrementName": r.altIncName = Buffer.from(v, "latin1"); break;
    default: onUnknown?.(key);
  }
}

/** Parses the `File` value into the raw path (root `.` → empty). */
export function parseRecordName(value: Buffer): Buffer {
  if (value.length === 1 && value[0] === 0x2e) return Buffer.alloc(0);
  return Buffer.from(unquotePath(value));
}

/** parseRecordName of Latin-1 text (the result is always a fresh Buffer). */
export function parseRecordNameText(v: string): Buffer {
  return v === "." ? Buffer.alloc(0) : unquotePath(Buffer.from(v, "latin1"));
}

/** Whether two records serialise to the same bytes (the reverse-diff test of §1.6). */
export function sameRecord(a: MetaRecord, b: MetaRecord): boolean {
  return serializeRecord(a).equals(serializeRecord(b));
}

/** Last path component of a raw path (the root has none). */
export function baseName(p: Buffer): Buffer {
  const i = p.lastIndexOf(SLASH);
  return i < 0 ? p : p.subarray(i + 1);
}

/** Parent of a raw path (empty for top-level entries and the root). */
export function parentPath(p: Buffer): Buffer {
  const i = p.lastIndexOf(SLASH);
  return i < 0 ? Buffer.alloc(0) : p.subarray(0, i);
}

/** Joins raw path components with `/`, skipping empty ones. */
export function joinPath(...parts: Buffer[]): Buffer {
  const kept = parts.filter((p) => p.length > 0);
  const out: Buffer[] = [];
  kept.forEach((p, i) => { if (i > 0) out.push(Buffer.from("/")); out.push(p); });
  return Buffer.concat(out);
}
