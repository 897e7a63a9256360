// Archive and dump file names exactly as backup-manager 0.7.14 writes them (spec §2), and the parser
// purge uses to read a dated name back (spec §4.1 step 3).

/** Archive types of the tarball methods. */
export type TarballType = "tar" | "tar.gz" | "tar.bz2" | "tar.xz" | "tar.zst" | "zip";
export const TARBALL_TYPES: readonly TarballType[] = ["tar", "tar.gz", "tar.bz2", "tar.xz", "tar.zst", "zip"];

/** How a target path becomes the middle of a name: full path (`long`) or last component (`short`). */
export type NameFormat = "long" | "short";

/** Compressors of dump and pipe outputs. */
export type Compression = "none" | "gzip" | "bzip2" | "xz" | "zstd";

/** File-name extension a compressor adds (`.gz`, `.bz2`, ...; "" for none). */
export function compressionExtension(c: Compression): string {
  return { none: "", gzip: ".gz", bzip2: ".bz2", xz: ".xz", zstd: ".zst" }[c];
}

/** Compression of a tarball type ("none" for tar and zip: zip compresses per member). */
export function tarballCompression(type: TarballType): Compression {
  const map: Record<TarballType, Compression> = {
    tar: "none",
    "tar.gz": "gzip",
    "tar.bz2": "bzip2",
    "tar.xz": "xz",
    "tar.zst": "zstd",
    zip: "none",
  };
  return map[type];
}

/** `YYYYMMDD` of a date in local time (backup-manager's `date +%Y%m%d`). */
export function formatDay(d: Date): string {
  const p = (n: number, w: number) => String(n).padStart(w, "0");
  return `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1, 2)}${p(d.getDate(), 2)}`;
}

/** Parses `YYYYMMDD` into local midnight of that day; throws on anything else. */
export function parseDay(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
  if (!m || !d || formatDay(d) !== s) throw new Error(`Invalid date "${s}": expected YYYYMMDD`);
  return d;
}

/**
 * The name part N(path) of spec §2: long = strip one trailing "/", spaces → "_", "/" → "-";
 * short = "-" + last component (spaces kept, as backup-manager does).
 */
export function targetNamePart(target: string, format: NameFormat): string {
  const t = target.endsWith("/") ? target.slice(0, -1) : target;
  if (format === "short") return "-" + t.slice(t.lastIndexOf("/") + 1);
  return t.replace(/ /g, "_").replace(/\//g, "-");
}

/** Name of a tarball archive: `P N .DATE[.master].TYPE` (plain tarball archives are always masters). */
export function tarballArchiveName(o: {
  prefix: string;
  target: string;
  format: NameFormat;
  day: string;
  master: boolean;
  type: TarballType;
}): string {
  const n = targetNamePart(o.target, o.format);
  return `${o.prefix}${n}.${o.day}${o.master ? ".master" : ""}.${o.type}`;
}

/** Name of the GNU tar snapshot of a target: `P N .incremental.bin`. */
export function snapshotName(prefix: string, target: string, format: NameFormat): string {
  return `${prefix}${targetNamePart(target, format)}.incremental.bin`;
}

/** The md5 database: `P-hashes.md5`. */
export function md5FileName(prefix: string): string {
  return `${prefix}-hashes.md5`;
}

/** Strata's SHA-256 manifest beside it: `P-hashes.sha256` (sha256sum format, pruned with the archives). */
export function sha256FileName(prefix: string): string {
  return `${prefix}-hashes.sha256`;
}

/** MySQL dump: `P-mysql-DB.DATE.sql[.gz|.bz2]`, or `P-all-mysql-databases.DATE.sql[...]` when db is undefined. */
export function mysqlDumpName(prefix: string, day: string, db: string | undefined, c: Compression): string {
  const mid = db === undefined ? "all-mysql-databases" : `mysql-${db}`;
  return `${prefix}-${mid}.${day}.sql${compressionExtension(c)}`;
}

/** PostgreSQL dump: `P-pgsql-DB.DATE.sql[...]`, or `P-all-pgsql-databases.DATE.sql[...]`. */
export function pgsqlDumpName(prefix: string, day: string, db: string | undefined, c: Compression): string {
  const mid = db === undefined ? "all-pgsql-databases" : `pgsql-${db}`;
  return `${prefix}-${mid}.${day}.sql${compressionExtension(c)}`;
}

/** Subversion dump: `P` + long N(repo) + `.DATE.svn[...]`. */
export function svnDumpName(prefix: string, day: string, repoPath: string, c: Compression): string {
  return `${prefix}${targetNamePart(repoPath, "long")}.${day}.svn${compressionExtension(c)}`;
}

/** Pipe output: `P-NAME.DATE.FILETYPE[...]`. */
export function pipeOutputName(prefix: string, day: string, name: string, fileType: string, c: Compression): string {
  return `${prefix}-${name}.${day}.${fileType}${compressionExtension(c)}`;
}

/** A dated repository file name read back: which series it belongs to, its day, and whether it is a master. */
export interface ParsedName {
  prefix: string;
  /** Series name (everything between prefix and date); archives of one series form chains. */
  name: string;
  day: string;
  master: boolean;
  /** What follows the date (and `.master.`), e.g. `tar.gz`. */
  suffix: string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Parses a basename the way backup-manager-purge does (first match wins; undated names → undefined):
 * `^PREFIX-?(NAME)?\.?(\d{8})\.(master\.)?(TYPE)$`, `^([^-]+)-(\S+)\.(\d{8})\.(\S+)$`, `^([^-]+)-(\d{8})\.md5$`.
 * The prefix is matched literally (backup-manager uses it as a regex).
 */
export function parseArchiveName(base: string, prefix: string): ParsedName | undefined {
  const own = new RegExp(`^${escapeRegExp(prefix)}-?(.*?)\\.?(\\d{8})\\.(master\\.)?(\\S+)$`).exec(base);
  if (own) return { prefix, name: own[1], day: own[2], master: !!own[3], suffix: own[4] };
  const other = /^([^-]+)-(\S+)\.(\d{8})\.(\S+)$/.exec(base);
  if (other) {
    const master = other[4].startsWith("master.");
    return { prefix: other[1], name: other[2], day: other[3], master, suffix: master ? other[4].slice(7) : other[4] };
  }
  const md5 = /^([^-]+)-(\d{8})\.md5$/.exec(base);
  if (md5) return { prefix: md5[1], name: "", day: md5[2], master: false, suffix: "md5" };
  return undefined;
}
