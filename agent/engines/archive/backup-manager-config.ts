// Reads an existing backup-manager configuration file (a bash script meant to be `source`d) WITHOUT
// executing it: plain assignments (`export KEY="v"`, `KEY=v`, `KEY[i]="v"`, `KEY=(a b)`, `declare -a KEY`)
// with `$HOSTNAME`, `$TODAY` and earlier keys expanded; anything else is reported by line, never run.
// Then maps the BM_* keys onto a Strata archive job (lib/schemas/archive-job.ts), spec §1 defaults and
// deprecated aliases included, with one warning per key or value that cannot be mapped.
import os from "node:os";
import path from "node:path";
import { parseArchiveJob, type ArchiveJob, type ArchiveJobInput } from "@/lib/schemas/archive-job";
import { formatDay } from "./naming";

/** A parsed configuration: scalar keys, array keys, and what could not be read. */
export interface BmConfig {
  scalars: Map<string, string>;
  arrays: Map<string, string[]>;
  /** Problems met while reading (line-numbered), e.g. commands that would have been executed. */
  problems: string[];
}

/** Values of variables the config may refer to besides its own keys. */
export interface ConfigEnv {
  hostname?: string;
  /** The run's day (`$TODAY`). */
  now?: Date;
}

const ASSIGN = /^(?:export\s+|declare\s+(?:-[a-zA-Z]+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?=(.*)$/;

/** Splits the right-hand side of an assignment into bash words (quotes, escapes, $VAR expansion). */
function words(src: string, lookup: (name: string) => string | undefined, problem: (m: string) => void): { words: string[]; rest: string } {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  const expand = (): string => {
    // at src[i] === "$"
    const brace = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(src.slice(i));
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
    const m = brace ?? plain;
    if (!m) {
      if (src[i + 1] === "(" || src[i + 1] === "{") problem(`"${src.slice(i, i + 20)}…" is a command or expansion that is not run`);
      i++;
      return "$";
    }
    i += m[0].length;
    const v = lookup(m[1]);
    if (v === undefined) problem(`variable $${m[1]} is not known; expanded to ""`);
    return v ?? "";
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === "#" && !inWord) break;
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
      i++;
      continue;
    }
    if (ch === ")" || ch === ";" || ch === "|" || ch === "&") {
      if (inWord) out.push(cur);
      return { words: out, rest: src.slice(i) };
    }
    inWord = true;
    if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) {
        problem("unterminated single quote");
        cur += src.slice(i + 1);
        i = src.length;
      } else {
        cur += src.slice(i + 1, end);
        i = end + 1;
      }
    } else if (ch === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\" && i + 1 < src.length && '$`"\\'.includes(src[i + 1])) {
          cur += src[i + 1];
          i += 2;
        } else if (src[i] === "$") cur += expand();
        else if (src[i] === "`") {
          problem("a `command` substitution is not run");
          i++;
        } else cur += src[i++];
      }
      if (i >= src.length) problem("unterminated double quote");
      i++;
    } else if (ch === "\\") {
      cur += src[i + 1] ?? "";
      i += 2;
    } else if (ch === "$") cur += expand();
    else if (ch === "`") {
      problem("a `command` substitution is not run");
      i++;
    } else cur += src[i++];
  }
  if (inWord) out.push(cur);
  return { words: out, rest: "" };
}

/** Parses the text of a backup-manager configuration file without executing anything. */
export function parseBmConfig(text: string, env: ConfigEnv = {}): BmConfig {
  const scalars = new Map<string, string>();
  const arrays = new Map<string, string[]>();
  const problems: string[] = [];
  const lookup = (name: string): string | undefined => {
    if (scalars.has(name)) return scalars.get(name);
    if (arrays.has(name)) return arrays.get(name)![0] ?? "";
    if (name === "HOSTNAME") return env.hostname ?? os.hostname();
    if (name === "TODAY") return formatDay(env.now ?? new Date());
    if (name === "HOME") return os.homedir();
    return undefined;
  };
  // Joins continuation lines (a trailing backslash) and multi-line array literals.
  const raw = text.split("\n");
  for (let n = 0; n < raw.length; n++) {
    const lineNo = n + 1;
    let line = raw[n];
    while (line.endsWith("\\") && n + 1 < raw.length) line = line.slice(0, -1) + raw[++n];
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const problem = (m: string) => problems.push(`line ${lineNo}: ${m}`);
    // `export A B`, `declare -a A`: declarations without a value.
    if (/^(export|declare)(\s+-[a-zA-Z]+)*(\s+[A-Za-z_][A-Za-z0-9_]*)+\s*(#.*)?$/.test(t)) {
      if (/^declare/.test(t) && /\s-[a-zA-Z]*a/.test(t)) for (const name of t.replace(/#.*/, "").split(/\s+/).slice(1).filter((w) => !w.startsWith("-"))) if (!arrays.has(name) && !scalars.has(name)) arrays.set(name, []);
      continue;
    }
    const m = ASSIGN.exec(t);
    if (!m) {
      problem(`"${t.slice(0, 60)}" is not a plain assignment; ignored (the file is read, not executed)`);
      continue;
    }
    const [, name, index, rhs] = m;
    if (rhs.startsWith("(")) {
      let body = rhs.slice(1);
      while (!/\)\s*(#.*)?$/.test(body) && n + 1 < raw.length) body += "\n" + raw[++n];
      const r = words(body.replace(/\)\s*(#.*)?$/, ""), lookup, problem);
      arrays.set(name, r.words);
      scalars.delete(name);
      continue;
    }
    const r = words(rhs, lookup, problem);
    if (r.rest.trim() !== "") problem(`"${r.rest.trim().slice(0, 40)}" after the value of ${name} is not run`);
    if (r.words.length > 1) problem(`the value of ${name} has unquoted spaces: only "${r.words[0]}" is assigned (as bash would)`);
    const value = r.words[0] ?? "";
    if (index !== undefined) {
      const arr = arrays.get(name) ?? (scalars.has(name) ? [scalars.get(name)!] : []);
      arr[Number(index)] = value;
      arrays.set(name, arr);
      scalars.delete(name);
    } else if (arrays.has(name)) arrays.get(name)![0] = value;
    else scalars.set(name, value);
  }
  return { scalars, arrays, problems };
}

/** Deprecated keys still honoured by backup-manager (spec §1.10): old → new. */
const DEPRECATED: Record<string, string> = {
  BM_ARCHIVES_REPOSITORY: "BM_REPOSITORY_ROOT",
  BM_USER: "BM_REPOSITORY_USER",
  BM_GROUP: "BM_REPOSITORY_GROUP",
  BM_MAX_TIME_TO_LIVE: "BM_ARCHIVE_TTL",
  BM_PURGE_DUPLICATES: "BM_ARCHIVE_PURGEDUPS",
  BM_ARCHIVES_PREFIX: "BM_ARCHIVE_PREFIX",
  BM_BACKUP_METHOD: "BM_ARCHIVE_METHOD",
  BM_FILETYPE: "BM_TARBALL_FILETYPE",
  BM_NAME_FORMAT: "BM_TARBALL_NAMEFORMAT",
  BM_DIRECTORIES_BLACKLIST: "BM_TARBALL_BLACKLIST",
  BM_DUMP_SYMLINKS: "BM_TARBALL_DUMPSYMLINKS",
  BM_DIRECTORIES: "BM_TARBALL_DIRECTORIES",
  BM_UPLOAD_MODE: "BM_UPLOAD_METHOD",
  BM_UPLOAD_USER: "BM_UPLOAD_SSH_USER",
  BM_UPLOAD_KEY: "BM_UPLOAD_SSH_KEY",
  BM_UPLOAD_PASSWD: "BM_UPLOAD_FTP_PASSWORD",
  BM_UPLOAD_DIR: "BM_UPLOAD_DESTINATION",
  BM_FTP_PURGE: "BM_UPLOAD_FTP_PURGE",
  BM_UPLOAD_FTPPURGE: "BM_UPLOAD_FTP_PURGE",
};

/**
 * Keys Strata reads or knows to be without effect here. Keys of a feature that is switched off (upload keys
 * when no upload method is set, dump keys when the method is not listed) are known and need no warning.
 */
const KNOWN = new Set(
  `BM_REPOSITORY_ROOT BM_TEMP_DIR BM_REPOSITORY_SECURE BM_REPOSITORY_USER BM_REPOSITORY_GROUP BM_REPOSITORY_CHMOD
  BM_ARCHIVE_CHMOD BM_ARCHIVE_TTL BM_REPOSITORY_RECURSIVEPURGE BM_ARCHIVE_PURGEDUPS BM_ARCHIVE_PREFIX
  BM_ARCHIVE_STRICTPURGE BM_ARCHIVE_NICE_LEVEL BM_ARCHIVE_METHOD BM_ENCRYPTION_METHOD BM_ENCRYPTION_RECIPIENT
  BM_TARBALL_NAMEFORMAT BM_TARBALL_FILETYPE BM_TARBALL_OVER_SSH BM_TARBALL_DUMPSYMLINKS BM_TARBALL_DIRECTORIES
  BM_TARBALL_TARGETS BM_TARBALL_BLACKLIST BM_TARBALL_SLICESIZE BM_TARBALL_EXTRA_OPTIONS BM_TARBALLINC_MASTERDATETYPE
  BM_TARBALLINC_MASTERDATEVALUE BM_MYSQL_DATABASES BM_MYSQL_SAFEDUMPS BM_MYSQL_ADMINLOGIN BM_MYSQL_ADMINPASS
  BM_MYSQL_HOST BM_MYSQL_PORT BM_MYSQL_FILETYPE BM_MYSQL_EXTRA_OPTIONS BM_MYSQL_SEPARATELY BM_MYSQL_DBEXCLUDE
  BM_PGSQL_DATABASES BM_PGSQL_ADMINLOGIN BM_PGSQL_ADMINPASS BM_PGSQL_HOST BM_PGSQL_PORT BM_PGSQL_FILETYPE
  BM_PGSQL_EXTRA_OPTIONS BM_SVN_REPOSITORIES BM_SVN_COMPRESSWITH BM_PIPE_COMMAND BM_PIPE_NAME BM_PIPE_FILETYPE
  BM_PIPE_COMPRESS BM_UPLOAD_METHOD BM_UPLOAD_HOSTS BM_UPLOAD_DESTINATION BM_UPLOADED_ARCHIVES BM_UPLOAD_SSH_USER
  BM_UPLOAD_SSH_KEY BM_UPLOAD_SSH_HOSTS BM_UPLOAD_SSH_PORT BM_UPLOAD_SSH_DESTINATION BM_UPLOAD_SSH_PURGE
  BM_UPLOAD_SSH_TTL BM_UPLOAD_SSHGPG_RECIPIENT BM_UPLOAD_FTP_SECURE BM_UPLOAD_FTP_PASSIVE BM_UPLOAD_FTP_TIMEOUT
  BM_UPLOAD_FTP_TEST BM_UPLOAD_FTP_USER BM_UPLOAD_FTP_PASSWORD BM_UPLOAD_FTP_HOSTS BM_UPLOAD_FTP_PURGE
  BM_UPLOAD_FTP_TTL BM_UPLOAD_FTP_DESTINATION BM_UPLOAD_S3_DESTINATION BM_UPLOAD_S3_ACCESS_KEY BM_UPLOAD_S3_SECRET_KEY
  BM_UPLOAD_S3_PURGE BM_UPLOAD_S3_TTL BM_UPLOAD_RSYNC_DIRECTORIES BM_UPLOAD_RSYNC_DESTINATION BM_UPLOAD_RSYNC_HOSTS
  BM_UPLOAD_RSYNC_DUMPSYMLINKS BM_UPLOAD_RSYNC_BLACKLIST BM_UPLOAD_RSYNC_EXTRA_OPTIONS BM_UPLOAD_RSYNC_BANDWIDTH_LIMIT
  BM_BURNING_METHOD BM_BURNING_CHKMD5 BM_BURNING_DEVICE BM_BURNING_DEVFORCED BM_BURNING_ISO_FLAGS BM_BURNING_MAXSIZE
  BM_LOGGER BM_LOGGER_LEVEL BM_LOGGER_FACILITY BM_PRE_BACKUP_COMMAND BM_POST_BACKUP_COMMAND`.split(/\s+/),
);

/** Result of an import: the job (when the mapping succeeded), warnings, and blocking errors. */
export interface BmImport {
  job?: ArchiveJob;
  /** The job as mapped, before validation (shown even when it does not validate). */
  input: ArchiveJobInput;
  warnings: string[];
  errors: string[];
}

const COMPRESSORS: Record<string, "gzip" | "bzip2" | "none"> = { gzip: "gzip", gz: "gzip", bzip2: "bzip2", bzip: "bzip2", none: "none", uncompressed: "none", "": "none" };

/** Maps a parsed configuration onto one Strata archive job (name `jobName`). */
export function mapBmConfig(cfg: BmConfig, o: { jobName: string; hostname?: string }): BmImport {
  const warnings = [...cfg.problems];
  const errors: string[] = [];
  const s = new Map(cfg.scalars);
  const a = new Map(cfg.arrays);
  for (const [old, now] of Object.entries(DEPRECATED)) {
    if (!s.has(old)) continue;
    warnings.push(`${old} is deprecated; its value is used for ${now}`);
    if (!s.get(now)) s.set(now, s.get(old)!);
  }
  for (const k of [...s.keys(), ...a.keys()]) {
    if (k.startsWith("BM_") && !KNOWN.has(k) && !(k in DEPRECATED)) warnings.push(`${k} is not a backup-manager 0.7.14 key; ignored`);
  }
  for (const [k, v] of s) {
    if (k.startsWith("BM_") && k !== "BM_ARCHIVE_PREFIX" && (v === "yes" || v === "no")) {
      warnings.push(`${k}="${v}" read as ${v === "yes" ? "true" : "false"}`);
      s.set(k, v === "yes" ? "true" : "false");
    }
  }
  const get = (k: string, dflt = "") => {
    const v = s.get(k);
    return v === undefined || v === "" ? dflt : v;
  };
  const bool = (k: string, dflt: boolean) => {
    const v = get(k, String(dflt));
    if (v !== "true" && v !== "false") {
      warnings.push(`${k}="${v}" is not true/false; using ${dflt}`);
      return dflt;
    }
    return v === "true";
  };
  const int = (k: string, dflt: number) => {
    const v = get(k, String(dflt));
    if (!/^-?\d+$/.test(v)) {
      errors.push(`${k}="${v}" is not a whole number`);
      return dflt;
    }
    return Number(v);
  };
  const list = (k: string) => get(k).split(/\s+/).filter(Boolean);
  const compressor = (k: string, v: string, dflt: "gzip" | "bzip2" | "none"): "gzip" | "bzip2" | "none" => {
    if (v === "") return dflt;
    const c = COMPRESSORS[v];
    if (!c) errors.push(`${k}="${v}": no such compressor (gzip, bzip2 or none)`);
    return c ?? dflt;
  };

  const methodsRaw = list("BM_ARCHIVE_METHOD");
  const methods: ArchiveJob["methods"] = [];
  for (const m of methodsRaw.length ? methodsRaw : ["tarball"]) {
    if (m === "none" || m === "disabled") continue;
    if (["tarball", "tarball-incremental", "mysql", "pgsql", "svn", "pipe"].includes(m)) methods.push(m as ArchiveJob["methods"][number]);
    else errors.push(`BM_ARCHIVE_METHOD: no such backup method "${m}"`);
  }
  if (methods.length === 0 && errors.length === 0) errors.push("BM_ARCHIVE_METHOD selects no archive method (none/disabled): there is nothing to run");

  const job: ArchiveJobInput = {
    v: 1,
    name: o.jobName,
    repository: get("BM_REPOSITORY_ROOT", "/var/archives").replace(/(.)\/+$/, "$1"),
    prefix: get("BM_ARCHIVE_PREFIX", o.hostname ?? os.hostname()),
    methods,
    ttlDays: int("BM_ARCHIVE_TTL", 5),
    purgeDuplicates: bool("BM_ARCHIVE_PURGEDUPS", true),
    strictPurge: bool("BM_ARCHIVE_STRICTPURGE", true),
    niceLevel: int("BM_ARCHIVE_NICE_LEVEL", 10),
    permissions: {},
  };
  if (bool("BM_REPOSITORY_SECURE", true)) {
    job.permissions = {
      repositoryMode: get("BM_REPOSITORY_CHMOD", "770"),
      archiveMode: get("BM_ARCHIVE_CHMOD", "660"),
      user: get("BM_REPOSITORY_USER", "root"),
      group: get("BM_REPOSITORY_GROUP", "root"),
    };
  }
  if (bool("BM_REPOSITORY_RECURSIVEPURGE", false)) warnings.push("BM_REPOSITORY_RECURSIVEPURGE=true is not supported: only the repository's top level is purged");
  const enc = get("BM_ENCRYPTION_METHOD");
  if (enc === "gpg") errors.push("BM_ENCRYPTION_METHOD=gpg is not supported by Strata: archives would be written unencrypted");

  if (methods.includes("tarball") || methods.includes("tarball-incremental")) {
    const targets = [...(a.get("BM_TARBALL_TARGETS") ?? (s.has("BM_TARBALL_TARGETS") ? [s.get("BM_TARBALL_TARGETS")!] : []))];
    list("BM_TARBALL_DIRECTORIES").forEach((d, i) => (targets[i] = d)); // DIRECTORIES overwrites TARGETS[0..n-1] (spec §1.3)
    const abs: string[] = [];
    for (const t of targets) {
      if (!t) continue;
      if (/[*?[]/.test(t)) warnings.push(`BM_TARBALL_TARGETS: "${t}" is a glob; Strata archives fixed paths, list the matches instead`);
      else if (!path.isAbsolute(t)) warnings.push(`BM_TARBALL_TARGETS: "${t}" is not an absolute path; skipped`);
      else abs.push(t);
    }
    let fileType = get("BM_TARBALL_FILETYPE", "tar.gz");
    if (fileType === "tar.bz") fileType = "tar.bz2";
    if (fileType === "tar.lzma" || fileType === "dar" || !["tar", "tar.gz", "tar.bz2", "tar.xz", "tar.zst", "zip"].includes(fileType)) {
      errors.push(`BM_TARBALL_FILETYPE="${fileType}" is not supported (tar, tar.gz, tar.bz2, tar.xz, tar.zst, zip)`);
      fileType = "tar.gz";
    }
    const nameFormat = get("BM_TARBALL_NAMEFORMAT", "long");
    if (nameFormat !== "long" && nameFormat !== "short") errors.push(`BM_TARBALL_NAMEFORMAT="${nameFormat}" must be long or short`);
    if (nameFormat === "short" && abs.some((t) => / /.test(path.basename(t)))) warnings.push("BM_TARBALL_NAMEFORMAT=short with a space in a target name: Strata writes the name with the space (backup-manager splits it and leaves a stray file)");
    if (bool("BM_TARBALL_OVER_SSH", false)) errors.push("BM_TARBALL_OVER_SSH=true is not supported: run a Strata agent on that host instead");
    if (abs.length === 0) errors.push("BM_TARBALL_DIRECTORIES / BM_TARBALL_TARGETS name no directory to archive");
    job.tarball = {
      targets: abs,
      nameFormat: nameFormat === "short" ? "short" : "long",
      fileType: fileType as "tar.gz",
      blacklist: list("BM_TARBALL_BLACKLIST"),
      dumpSymlinks: bool("BM_TARBALL_DUMPSYMLINKS", false),
      extraOptions: list("BM_TARBALL_EXTRA_OPTIONS"),
    };
    if (job.tarball.blacklist!.some((w) => w.startsWith("/") && abs.some((t) => w.startsWith(t.replace(/\/$/, "") + "/")))) {
      warnings.push("BM_TARBALL_BLACKLIST: absolute paths exclude exactly that path in Strata (backup-manager excludes every member with that name below the target)");
    }
    if (methods.includes("tarball-incremental")) {
      const frequency = get("BM_TARBALLINC_MASTERDATETYPE", "weekly");
      let value = int("BM_TARBALLINC_MASTERDATEVALUE", 1);
      if (frequency !== "weekly" && frequency !== "monthly") errors.push(`BM_TARBALLINC_MASTERDATETYPE: unknown frequency "${frequency}"`);
      if (frequency === "weekly" && (value < 0 || value > 6)) {
        warnings.push(`BM_TARBALLINC_MASTERDATEVALUE=${value} is not a weekday (0-6); using 0 as backup-manager does`);
        value = 0;
      }
      if (frequency === "monthly" && (value < 1 || value > 31)) {
        warnings.push(`BM_TARBALLINC_MASTERDATEVALUE=${value} is not a day of the month (1-31); using 1 as backup-manager does`);
        value = 1;
      }
      job.incremental = { frequency: frequency === "monthly" ? "monthly" : "weekly", value };
    }
  }

  const dbSection = (kind: "MYSQL" | "PGSQL") => {
    const dbs = list(`BM_${kind}_DATABASES`);
    const pass = get(`BM_${kind}_ADMINPASS`);
    if (pass) warnings.push(`BM_${kind}_ADMINPASS: the password is copied into the job; better move it to a 0600 file and set passwordFile`);
    const host = s.get(`BM_${kind}_HOST`) ?? "localhost";
    return {
      databases: dbs.length === 0 || dbs.includes("__ALL__") ? ("all" as const) : dbs,
      user: get(`BM_${kind}_ADMINLOGIN`, "root"),
      ...(pass ? { password: pass } : {}),
      host: kind === "PGSQL" ? host : host || "localhost",
      port: int(`BM_${kind}_PORT`, kind === "MYSQL" ? 3306 : 5432),
      compression: compressor(`BM_${kind}_FILETYPE`, get(`BM_${kind}_FILETYPE`), "bzip2"),
      extraOptions: list(`BM_${kind}_EXTRA_OPTIONS`),
    };
  };
  if (methods.includes("mysql")) {
    const d = dbSection("MYSQL");
    job.mysql = { ...d, separately: bool("BM_MYSQL_SEPARATELY", true), exclude: list("BM_MYSQL_DBEXCLUDE"), safeDumps: bool("BM_MYSQL_SAFEDUMPS", true) };
    if (!d.password) warnings.push("BM_MYSQL_ADMINPASS is empty: the dump connects without a password");
  }
  if (methods.includes("pgsql")) {
    job.pgsql = dbSection("PGSQL");
    if (get("BM_PGSQL_PORT") === "") warnings.push("BM_PGSQL_PORT is not set: Strata uses 5432 (backup-manager would use 3306)");
  }
  if (methods.includes("svn")) {
    const repos = list("BM_SVN_REPOSITORIES");
    if (repos.length === 0) errors.push("BM_SVN_REPOSITORIES is empty but the svn method is selected");
    job.svn = { repositories: repos, compression: compressor("BM_SVN_COMPRESSWITH", get("BM_SVN_COMPRESSWITH"), "none") };
  }
  if (methods.includes("pipe")) {
    const names = a.get("BM_PIPE_NAME") ?? [];
    const cmds = a.get("BM_PIPE_COMMAND") ?? [];
    const types = a.get("BM_PIPE_FILETYPE") ?? [];
    const comps = a.get("BM_PIPE_COMPRESS") ?? [];
    job.pipe = [];
    names.forEach((name, i) => {
      if (name === undefined) return;
      if (!cmds[i] || !types[i]) {
        warnings.push(`BM_PIPE_NAME[${i}]="${name}": no command or file type; this entry is skipped (later entries still run, unlike backup-manager)`);
        return;
      }
      if (/[|&;<>]/.test(cmds[i])) warnings.push(`BM_PIPE_COMMAND[${i}] contains shell operators that backup-manager never ran as such; Strata runs the words as one command too (use "shell" in the job to run a pipeline)`);
      job.pipe!.push({ name, command: cmds[i].split(/\s+/).filter(Boolean), fileType: types[i], compression: compressor(`BM_PIPE_COMPRESS[${i}]`, comps[i] ?? "", "none") });
    });
    if (job.pipe.length === 0) errors.push("the pipe method is selected but no BM_PIPE_* entry is complete");
  }

  const uploads = list("BM_UPLOAD_METHOD").filter((m) => m !== "none" && m !== "disabled");
  for (const m of uploads) {
    if (["scp", "ssh", "SCP", "SSH"].includes(m)) {
      const hosts = [...list("BM_UPLOAD_HOSTS"), ...list("BM_UPLOAD_SSH_HOSTS")];
      warnings.push(
        hosts.length
          ? `BM_UPLOAD_METHOD=${m}: not mapped: Strata uploads over SFTP with a pinned host key; add an "upload" section (strata-agent archive host-key ${hosts[0]} prints the fingerprint)`
          : `BM_UPLOAD_METHOD=${m} with no host (BM_UPLOAD_HOSTS / BM_UPLOAD_SSH_HOSTS empty): nothing to upload to; ignored`,
      );
    } else warnings.push(`BM_UPLOAD_METHOD=${m}: not supported by Strata (SFTP only); ignored`);
  }
  const burning = get("BM_BURNING_METHOD", "none");
  if (burning !== "none") warnings.push(`BM_BURNING_METHOD=${burning}: disc burning is not supported; ignored`);
  for (const k of ["BM_PRE_BACKUP_COMMAND", "BM_POST_BACKUP_COMMAND"]) if (get(k)) warnings.push(`${k}="${get(k)}": hooks are not part of an archive job; not run`);

  const parsed = errors.length ? undefined : parseArchiveJob(job);
  if (parsed && !parsed.ok) errors.push(...parsed.problems.map((p) => `job ${p}`));
  return { job: parsed?.ok ? parsed.job : undefined, input: job, warnings, errors };
}

/** A job name from a configuration file name ("/etc/backup-manager.conf" → "backup-manager"). */
export function jobNameFor(file: string): string {
  return path.basename(file).replace(/\.conf$/, "").replace(/[^A-Za-z0-9._-]+/g, "-") || "backup-manager";
}

/** Reads and maps one configuration file's text. */
export function importBmConfig(text: string, o: { file: string; hostname?: string; now?: Date }): BmImport {
  const cfg = parseBmConfig(text, { hostname: o.hostname, now: o.now });
  return mapBmConfig(cfg, { jobName: jobNameFor(o.file), hostname: o.hostname });
}
