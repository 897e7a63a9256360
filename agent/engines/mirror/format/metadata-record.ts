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
  const parts: Buffer[] = [Buffer.from("File "), recordName(r.path), Buffer.from("\n")];
  const line = (k: string, v: string | Buffer) => {
    parts.push(Buffer.from(`  ${k} `), typeof v === "string" ? Buffer.from(v) : v, Buffer.from("\n"));
  };
  line("Type", r.type ?? "None");
  if (r.type === null) return Buffer.concat(parts);
  if (r.type === "reg") {
    line("Size", String(r.size ?? 0));
    if (r.resourceFork) line("ResourceFork", r.resourceFork);
    if (r.carbonFile) line("CarbonFile", r.carbonFile);
    if (r.numHardLinks !== undefined && r.numHardLinks > 1) {
      line("NumHardLinks", String(r.numHardLinks));
      line("Inode", String(r.inode ?? 0));
      line("DeviceLoc", String(r.deviceLoc ?? 0));
    }
    if (r.sha1) line("SHA1Digest", r.sha1);
  } else if (r.type === "sym") {
    line("SymData", quotePath(r.symData ?? Buffer.alloc(0)));
  } else if (r.type === "dev") {
    const d = r.deviceNum ?? { kind: "c", major: 0, minor: 0 };
    line("DeviceNum", `${d.kind} ${d.major} ${d.minor}`);
  }
  if (r.type !== "sym" && r.type !== "dev") line("ModTime", String(r.mtime ?? 0));
  line("Uid", String(r.uid ?? 0));
  line("Uname", r.uname || ":");
  line("Gid", String(r.gid ?? 0));
  line("Gname", r.gname || ":");
  line("Permissions", String(r.perms ?? 0));
  if (r.altMirrorName) line("AlternateMirrorName", r.altMirrorName);
  else if (r.altIncName) line("AlternateIncrementName", r.altIncName);
  return Buffer.concat(parts);
}

const TYPES = new Set(["reg", "dir", "sym", "fifo", "sock", "dev"]);
const INT_FIELDS: Record<string, keyof MetaRecord> = {
  Size: "size", NumHardLinks: "numHardLinks", Inode: "inode", DeviceLoc: "deviceLoc",
  ModTime: "mtime", Uid: "uid", Gid: "gid", Permissions: "perms",
};

/** Applies one `Key value` field line to a record; unknown keys are reported through `onUnknown`. */
export function applyField(r: MetaRecord, key: string, value: Buffer, onUnknown?: (key: string) => void): void {
  const text = () => value.toString("latin1");
  const none = () => { const t = text(); return t === ":" || t === "None"; };
  const intKey = INT_FIELDS[key];
  if (intKey) {
    (r as unknown as Record<string, number>)[intKey] = Number.parseInt(text(), 10);
    return;
  }
  switch (key) {
    case "Type": r.type = !none() && TYPES.has(text()) ? (text() as MetaType) : null; break;
    case "SHA1Digest": r.sha1 = none() ? undefined : text(); break;
    case "Uname": r.uname = none() ? null : value.toString("utf8"); break;
    case "Gname": r.gname = none() ? null : value.toString("utf8"); break;
    case "SymData": r.symData = unquotePath(value); break;
    case "DeviceNum": {
      const [kind, major, minor] = text().split(" ");
      r.deviceNum = { kind, major: Number(major), minor: Number(minor) };
      break;
    }
    case "ResourceFork": r.resourceFork = Buffer.from(value); break;
    case "CarbonFile": r.carbonFile = Buffer.from(value); break;
    case "AlternateMirrorName": r.altMirrorName = Buffer.from(value); break;
    case "AlternateIncrementName": r.altIncName = Buffer.from(value); break;
    default: onUnknown?.(key);
  }
}

/** Parses the `File` value into the raw path (root `.` → empty). */
export function parseRecordName(value: Buffer): Buffer {
  if (value.length === 1 && value[0] === 0x2e) return Buffer.alloc(0);
  return Buffer.from(unquotePath(value));
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
