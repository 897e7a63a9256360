// Names of increment files and of the timestamped files in rdiff-backup-data (§1.2, §1.3), and the
// not-compressed-extension rule (§1.4). Names are Buffers: the base may be any bytes but `/` and NUL.
import { readdir } from "node:fs/promises";
import { stringToTime, timeToString } from "@/lib/timespec";

export const DATA_DIR = "rdiff-backup-data";
export const INCREMENTS_DIR = "increments";
export const LONG_NAME_DIR = "long_filename_data";

export type IncType = "snapshot" | "diff" | "missing" | "dir" | "data";
const INC_TYPES = new Set<string>(["snapshot", "diff", "missing", "dir", "data"]);

/** A parsed `<base>.<timestr>.<type>[.gz]` name. */
export interface IncName {
  base: Buffer;
  timestr: string;
  /** Epoch seconds (compare these, never the strings: one instant has several spellings). */
  time: number;
  type: IncType;
  compressed: boolean;
}

/** Parses an increment-style name exactly as upstream splits it; null when it is not one. */
export function parseIncName(name: Buffer | string): IncName | null {
  const buf = typeof name === "string" ? Buffer.from(name) : name;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x2e) {
      parts.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  const compressed = parts.length > 0 && parts[parts.length - 1].toString("latin1") === "gz";
  const need = compressed ? 4 : 3;
  if (parts.length < need) return null;
  const off = compressed ? 1 : 0;
  const type = parts[parts.length - 1 - off].toString("latin1");
  const timestr = parts[parts.length - 2 - off].toString("latin1");
  if (!INC_TYPES.has(type)) return null;
  const time = stringToTime(timestr);
  if (time === null) return null;
  const baseLen = parts.slice(0, parts.length - 2 - off).reduce((n, p) => n + p.length + 1, -1);
  return { base: buf.subarray(0, baseLen), timestr, time, type: type as IncType, compressed };
}

/** `<base>.<timestr>.<type>[.gz]`; `time` may be epoch seconds (formatted in the local zone) or a time string. */
export function formatIncName(base: Buffer | string, time: number | string, type: IncType, compressed = false): Buffer {
  const timestr = typeof time === "number" ? timeToString(time) : time;
  return Buffer.concat([
    typeof base === "string" ? Buffer.from(base) : base,
    Buffer.from(`.${timestr}.${type}${compressed ? ".gz" : ""}`),
  ]);
}

/** Prefixes of the timestamped files rdiff-backup keeps in its data dir. */
export const DATA_PREFIX = {
  currentMirror: "current_mirror",
  mirrorMetadata: "mirror_metadata",
  sessionStatistics: "session_statistics",
  fileStatistics: "file_statistics",
  errorLog: "error_log",
  extendedAttributes: "extended_attributes",
  accessControlLists: "access_control_lists",
  increments: "increments",
} as const;

/** Name of a timestamped data-dir file: e.g. dataFileName("mirror_metadata", t, "snapshot", true). */
export function dataFileName(prefix: string, time: number | string, type: IncType, compressed = false): string {
  return formatIncName(prefix, time, type, compressed).toString("latin1");
}

/** A timestamped file in the data dir. */
export interface DataFile extends IncName {
  /** The name as found on disk. */
  name: string;
  /** The base as a string (`mirror_metadata`, `current_mirror`, ...). */
  prefix: string;
}

/** Lists the timestamped files of a data dir (unquoted names), sorted by time then name. */
export async function listDataFiles(dataDir: string, unquote?: (b: Buffer) => Buffer): Promise<DataFile[]> {
  const names = await readdir(dataDir, { encoding: "buffer" });
  const out: DataFile[] = [];
  for (const raw of names) {
    const parsed = parseIncName(unquote ? unquote(raw) : raw);
    if (parsed) out.push({ ...parsed, name: raw.toString("latin1"), prefix: parsed.base.toString("latin1") });
  }
  return out.sort((a, b) => a.time - b.time || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const NO_COMPRESS = new RegExp(
  "^.*\\.(7z|aac|arj|asc|avi|bik|bz|bz2|deb|docx|flac|flv|gif|gpg|gz|jp2|jpeg|jpg|jsonlz4|lharc|lz4|lzh|lzma|lzo|m4a|m4v|mdf|mkv|mov|mozlz4|mp3|mp4|mpeg|mpg|oga|ogg|ogm|ogv|opus|pgp|pk3|png|rar|rm|rpm|rz|shn|tgz|tzst|vob|webm|webp|wma|wmv|xlsx|xz|z|zip|zoo|zst)\n?$",
  "i",
);

/**
 * True when increments of this mirror path are stored without `.gz` (already-compressed formats). Upstream
 * matches the full mirror path, where `.` does not cross a newline; pass the same for identical results.
 */
export function isNotCompressed(mirrorPath: Buffer | string): boolean {
  const s = typeof mirrorPath === "string" ? mirrorPath : mirrorPath.toString("latin1");
  return NO_COMPRESS.test(s);
}
