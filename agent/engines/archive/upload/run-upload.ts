// One upload run: today's archives to every configured host (reconnecting and resuming after a dropped
// connection), the uploaded-archives list, then the remote TTL purge with the local purge's decision rule.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "@/agent/errors";
import type { EngineCallbacks } from "../../types";
import { hashFile } from "../hashes";
import { INDEX_SUFFIX } from "../index-format";
import { formatDay } from "../naming";
import { planPurge } from "../purge";
import { selectTodaysArchives, type SelectedFile } from "./select-uploads";
import { SftpUploader } from "./sftp-uploader";
import { isConnectionLost, type UploadOutcome, type Uploader } from "./uploader";
import { markUploaded, readUploadedDb, wasUploaded, type UploadedDb } from "./uploaded-db";

/** One SFTP host of an upload. */
export interface SftpHostSettings {
  host: string;
  port?: number;
  user: string;
  /** Path of the private key file (read at run time, never copied into the job). */
  privateKeyPath: string;
  /** Pinned host key, OpenSSH `SHA256:...` form. */
  hostKeyFingerprint: string;
}

/** Upload settings of an archive job (backup-manager's BM_UPLOAD_* keys, SFTP only for now). */
export interface UploadSettings {
  method: "sftp";
  hosts: SftpHostSettings[];
  /** Remote directory. */
  destination: string;
  /** Remote TTL purge after uploading (default true). */
  purge?: boolean;
  /** Remote TTL in days (default: the job's local TTL). */
  ttlDays?: number;
  /** backup-manager's BM_UPLOADED_ARCHIVES file. */
  uploadedArchivesFile?: string;
  /** Reconnect-and-resume attempts per file after a dropped connection (default 3). */
  retries?: number;
}

/** The job-level facts an upload needs. */
export interface UploadRunOptions {
  repository: string;
  prefix: string;
  now: Date;
  /** Local TTL (BM_ARCHIVE_TTL), the default remote TTL. */
  ttlDays: number;
  /** STRICTPURGE, as for the local purge. */
  strictPurge?: boolean;
  dryRun?: boolean;
  callbacks?: EngineCallbacks;
  /** Builds the uploader of a host (tests route through a proxy; other kinds plug in here). */
  makeUploader?: (host: SftpHostSettings, privateKey: Buffer, directory: string) => Uploader;
}

/** What happened on one host. */
export interface HostReport {
  host: string;
  uploaded: UploadOutcome[];
  purged: string[];
  error?: Error;
}

/** Uploads and purges on every host; throws when every host failed, otherwise reports per host. */
export async function runUpload(settings: UploadSettings, opts: UploadRunOptions): Promise<{ status: "success" | "partial"; hosts: HostReport[] }> {
  if (settings.method !== "sftp") throw new AgentError("usage", `Unsupported upload method "${String(settings.method)}"`);
  if (settings.hosts.length === 0) throw new AgentError("usage", "Upload has no host configured");
  const today = formatDay(opts.now);
  const files = await selectTodaysArchives(opts.repository, today);
  const db = settings.uploadedArchivesFile ? await readUploadedDb(settings.uploadedArchivesFile) : new Map();
  const reports: HostReport[] = [];
  for (const host of settings.hosts) {
    const report: HostReport = { host: host.host, uploaded: [], purged: [] };
    reports.push(report);
    try {
      await uploadToHost(settings, opts, host, files, db, today, report);
    } catch (err) {
      report.error = err instanceof Error ? err : new Error(String(err));
      opts.callbacks?.onItemError?.(host.host, report.error);
    }
  }
  const failed = reports.filter((r) => r.error);
  if (failed.length === reports.length) throw failed[0].error;
  return { status: failed.length > 0 ? "partial" : "success", hosts: reports };
}

async function uploadToHost(
  settings: UploadSettings,
  opts: UploadRunOptions,
  host: SftpHostSettings,
  files: SelectedFile[],
  db: UploadedDb,
  today: string,
  report: HostReport,
): Promise<void> {
  const key = await readFile(host.privateKeyPath).catch((err) => {
    throw new AgentError("usage", `Cannot read SSH key "${host.privateKeyPath}": ${(err as Error).message}`, { cause: err });
  });
  const uploader =
    opts.makeUploader?.(host, key, settings.destination) ??
    new SftpUploader({ ...host, privateKey: key, directory: settings.destination });
  const log = (l: string) => opts.callbacks?.onLog?.(l);
  await uploader.connect();
  try {
    await uploader.ensureDestination();
    for (const f of files) {
      if (wasUploaded(db, f.path, host.host)) continue;
      if (opts.dryRun) {
        log(`Would upload "${f.name}" to "${uploader.target}".`);
        continue;
      }
      const sha256 = (await hashFile(f.path)).sha256;
      const outcome = await uploadWithResume(uploader, { ...f, sha256 }, settings.retries ?? 3, opts.callbacks);
      report.uploaded.push(outcome);
      log(`${outcome.skipped ? "Already on" : "Uploaded to"} "${uploader.target}": "${f.name}" (${outcome.verified} verified).`);
      if (settings.uploadedArchivesFile) await markUploaded(settings.uploadedArchivesFile, db, f.path, host.host);
    }
    if (settings.purge !== false) report.purged = await purgeRemote(uploader, settings, opts, today);
  } finally {
    await uploader.close();
  }
}

async function uploadWithResume(
  uploader: Uploader,
  file: SelectedFile & { sha256: string },
  retries: number,
  callbacks?: EngineCallbacks,
): Promise<UploadOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await uploader.upload(file, {
        signal: callbacks?.signal,
        onProgress: (bytes) => callbacks?.onProgress?.({ items: 0, bytes, currentPath: file.name }),
      });
    } catch (err) {
      if (!isConnectionLost(err) || attempt >= retries) throw err;
      callbacks?.onLog?.(`${(err as Error).message}; reconnecting to resume "${file.name}".`);
      await reconnect(uploader, retries - attempt);
    }
  }
}

/** Reconnects, trying up to `tries` times with a growing pause (1 s, 2 s, …) while the host is unreachable. */
async function reconnect(uploader: Uploader, tries: number): Promise<void> {
  for (let i = 1; ; i++) {
    await uploader.close();
    try {
      return await uploader.connect();
    } catch (err) {
      if (!(err instanceof AgentError && err.kind === "retryable") || i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 1000 * i));
    }
  }
}

/** Remote TTL purge: the local purge's decision on the remote listing; sidecars and part files go along. */
async function purgeRemote(uploader: Uploader, settings: UploadSettings, opts: UploadRunOptions, today: string): Promise<string[]> {
  const entries = (await uploader.list()).filter((e) => e.isFile);
  const names = new Set(entries.map((e) => e.name));
  const verdicts = planPurge([...names], {
    ttlDays: settings.ttlDays ?? opts.ttlDays,
    prefix: opts.prefix,
    strict: opts.strictPurge ?? true,
    today,
  });
  const removed: string[] = [];
  for (const v of verdicts.filter((x) => x.remove)) {
    if (opts.dryRun) {
      opts.callbacks?.onLog?.(`Would remove remote archive "${path.posix.join(settings.destination, v.name)}".`);
      continue;
    }
    opts.callbacks?.onLog?.(`Removing remote archive "${path.posix.join(settings.destination, v.name)}".`);
    for (const extra of [v.name, v.name + INDEX_SUFFIX, v.name + ".part"]) {
      if (names.has(extra)) await uploader.remove(extra);
    }
    removed.push(v.name);
  }
  return removed;
}
