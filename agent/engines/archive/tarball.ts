// The tarball and tarball-incremental methods: one archive per target per run, named as backup-manager
// names them; incrementals through GNU tar's --listed-incremental snapshot kept in the repository.
import { chmod, copyFile, lstat, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { describeWriteError } from "./atomic-file";
import { blacklistFor } from "./blacklist";
import { recordArchiveHashes, type FileHashes } from "./hashes";
import { INDEX_SUFFIX } from "./index-format";
import { formatDay, snapshotName, tarballArchiveName, tarballCompression, type NameFormat, type TarballType } from "./naming";
import { applyPermissions, type Permissions } from "./permissions";
import { purgeDuplicates } from "./purge";
import { buildTarArchive } from "./tar-build";
import { buildZipArchive } from "./zip-build";
import { archiveChangeSet } from "./repository-read";
import { remoteTargetExists, stageRemoteSnapshot, type RemoteTarHost } from "./remote-tarball";
import type { EngineCallbacks } from "../types";

/** When full archives are made: weekly on day `value` (0 = Sunday … 6) or monthly on day `value` (1–31). */
export interface MasterSchedule {
  frequency: "weekly" | "monthly";
  value: number;
}

/** Settings of a tarball method (BM_TARBALL_*; `incremental` set for tarball-incremental). */
export interface TarballSettings {
  targets: string[];
  nameFormat: NameFormat;
  fileType: TarballType;
  blacklist: string[];
  dumpSymlinks: boolean;
  extraOptions?: string[];
  incremental?: MasterSchedule;
}

/** What the archive methods share within one run. */
export interface ArchiveContext {
  repository: string;
  prefix: string;
  /** The run's clock (backup-manager's TODAY and master decision). */
  now: Date;
  callbacks: EngineCallbacks;
  permissions: Permissions;
  purgeDuplicates: boolean;
  niceLevel?: number;
  blockSize?: number;
  /** Folders (and the root) already reported as new by this run's change set (targets share ancestors). */
  reportedDirs?: Set<string>;
  /** An SSH host whose files the tarball methods archive (tar runs there); the agent's own files by default. */
  host?: RemoteTarHost;
}

/**
 * Reports what archive `name` changed in its series through `onChange` (the run's change set: a full
 * archive lists every member, an incremental what it stored and what its dumpdirs no longer list).
 */
export async function reportArchiveChanges(ctx: ArchiveContext, name: string): Promise<void> {
  const onChange = ctx.callbacks.onChange;
  if (!onChange) return;
  let entries;
  try {
    entries = await archiveChangeSet(ctx.repository, name);
  } catch (err) {
    ctx.callbacks.onLog?.(`WARNING: cannot list the changes of "${name}": ${(err as Error).message}`);
    return;
  }
  const seen = (ctx.reportedDirs ??= new Set());
  for (const e of entries) {
    if (e.type === "dir" && e.change === "new" && e.archive === undefined) {
      if (seen.has(e.path)) continue;
      seen.add(e.path);
    }
    onChange(e);
  }
}

/** Result of one method over all its targets. */
export interface MethodOutcome {
  outputs: string[];
  errors: number;
  members: number;
  bytes: number;
}

/** True when `now` is the master day of the schedule. */
export function isMasterDay(now: Date, s: MasterSchedule): boolean {
  return s.frequency === "weekly" ? now.getDay() === s.value : now.getDate() === s.value;
}

const exists = (p: string) => lstat(p).then(() => true, () => false);

/** Runs the tarball (or tarball-incremental) method over every target, on the agent or on `ctx.host`. */
export async function runTarballMethod(ctx: ArchiveContext, s: TarballSettings): Promise<MethodOutcome> {
  if (ctx.host && s.fileType === "zip") throw new Error(`Zip archives cannot be made on SSH host "${ctx.host.name}": use a tar file type`);
  const out: MethodOutcome = { outputs: [], errors: 0, members: 0, bytes: 0 };
  for (const target of s.targets) {
    try {
      await archiveTarget(ctx, s, target, out);
    } catch (err) {
      const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === "ENOSPC" || code === "EDQUOT" || ctx.callbacks.signal?.aborted) throw err;
      out.errors++;
      ctx.callbacks.onItemError?.(target, err as Error);
    }
  }
  return out;
}

async function archiveTarget(ctx: ArchiveContext, s: TarballSettings, target: string, out: MethodOutcome): Promise<void> {
  const log = (l: string) => ctx.callbacks.onLog?.(l);
  const host = ctx.host;
  const on = host ? ` on "${host.name}"` : "";
  const { skipTarget, excludes } = blacklistFor(target, s.blacklist);
  if (skipTarget) return log(`Target "${target}" is found in blacklist, skipping.`);
  const found = host ? await remoteTargetExists(host, target) : await stat(target).then(() => true, () => false);
  if (!found) throw new Error(host ? `Target "${target}" does not exist${on}` : `Target "${target}" does not exist, skipping`);
  const day = formatDay(ctx.now);
  const base = { prefix: ctx.prefix, target, format: s.nameFormat, day, type: s.fileType };
  const masterName = tarballArchiveName({ ...base, master: true });
  const incName = tarballArchiveName({ ...base, master: false });
  for (const n of [masterName, incName]) {
    if (await exists(path.join(ctx.repository, n))) return log(`File "${path.join(ctx.repository, n)}" already exists, skipping.`);
  }
  const snapshot = path.join(ctx.repository, snapshotName(ctx.prefix, target, s.nameFormat));
  const incremental = s.incremental && s.fileType !== "zip" ? s.incremental : undefined;
  let master = true;
  if (incremental) {
    master = isMasterDay(ctx.now, incremental) || !(await exists(snapshot));
    if (master) log(`Building master backup for target: "${target}".`);
  }
  const name = master ? masterName : incName;
  const file = path.join(ctx.repository, name);
  let hashes: FileHashes | undefined;
  if (s.fileType === "zip") {
    out.members += await buildZipArchive({ target, output: file, excludes, dumpSymlinks: s.dumpSymlinks, signal: ctx.callbacks.signal });
  } else {
    // tar updates a working copy of the snapshot (on the host: a private copy fetched back before the
    // archive is renamed into place, so there is never an archive without its snapshot).
    const work = incremental ? `${snapshot}.part` : undefined;
    if (work) await rm(work, { force: true });
    const staged = work && host ? await stageRemoteSnapshot(host, snapshot, master) : undefined;
    try {
      if (work && !host && !master) await copyFile(snapshot, work);
      const res = await buildTarArchive(
        {
          target,
          output: file,
          compression: tarballCompression(s.fileType),
          excludes,
          dumpSymlinks: s.dumpSymlinks,
          snapshot: staged?.path ?? work,
          extraOptions: s.extraOptions,
          niceLevel: ctx.niceLevel,
          blockSize: ctx.blockSize,
          signal: ctx.callbacks.signal,
          runner: host?.runner,
          beforeRename: staged && work ? () => staged.fetch(work) : undefined,
        },
        ctx.permissions.archiveMode ?? 0o600,
      );
      if (work) {
        await chmod(work, 0o600); // lists every file name: readable by its owner only, as backup-manager leaves it (umask 077)
        await rename(work, snapshot);
      }
      hashes = { md5: res.compress.md5, sha256: res.compress.sha256, size: res.compress.bytesOut };
      out.members += res.members.length;
      if (res.tarExit === 1) {
        out.errors++;
        ctx.callbacks.onItemError?.(target, new Error(`Tar reported a file changed during archive creation${on}: ${res.warnings.join("; ")}`));
      }
    } finally {
      if (work) await rm(work, { force: true });
      await staged?.remove();
    }
  }
  await commitArchive(ctx, name, out, hashes);
}

/** Commits a written archive: permissions (and its index's), md5 and SHA-256 records, the change set, purge-duplicates. */
async function commitArchive(ctx: ArchiveContext, name: string, out: MethodOutcome, hashes?: FileHashes): Promise<void> {
  const file = path.join(ctx.repository, name);
  try {
    await applyPermissions(file, ctx.permissions, ctx.permissions.archiveMode);
    if (await exists(file + INDEX_SUFFIX)) await applyPermissions(file + INDEX_SUFFIX, ctx.permissions, ctx.permissions.archiveMode);
  } catch (err) {
    throw new Error(`Cannot set permissions of "${file}": ${describeWriteError(err)}`, { cause: err });
  }
  const h = await recordArchiveHashes(ctx.repository, ctx.prefix, name, hashes);
  out.outputs.push(name);
  out.bytes += h.size;
  ctx.callbacks.onLog?.(`${file}: ok (${h.size} bytes, ${h.md5})`);
  await reportArchiveChanges(ctx, name);
  if (ctx.purgeDuplicates) await purgeDuplicates(ctx.repository, name, ctx.prefix, ctx.callbacks.onLog);
}
