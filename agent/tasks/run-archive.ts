// Archive methods of a backup run (tarball, incremental tarball, dumps, pipe, svn): the job definition mapped
// to the archive engine's job (lib/schemas/archive-job.ts) and run by runArchiveJob, which also purges by TTL.
// Local hosts: runArchiveJob on the agent. SSH hosts: the same run, with every method's command running on
// the host through an SshRunner (output streamed back into the agent's repository; credential files and
// incremental snapshots visit the host as 0600 files and are removed).
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { AgentError } from "../errors";
import { runArchiveJob, type ArchiveRunResult } from "../engines/archive/run-job";
import { SshRunner } from "../engines/dump/ssh-runner";
import { startSftp } from "../sources/ssh/sftp-source";
import type { EngineCallbacks } from "../engines/types";
import { connectToHost } from "../sources/open";
import { archiveJob, type ArchiveJob, type ArchiveJobInput } from "@/lib/schemas/archive-job";
import type { JobDefinition } from "@/lib/schemas/job";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { parseTimeSpec } from "@/lib/timespec";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import { recordArchiveSession } from "./archive-sessions";
import type { BackupTask } from "./types";

const FILE_TYPE = { none: "tar", gzip: "tar.gz", bzip2: "tar.bz2", xz: "tar.xz", zstd: "tar.zst" } as const;
/** No olderThan: archives are kept (practically) forever. */
const KEEP_FOREVER_DAYS = 36_500;

/** TTL in whole days from the retention's `olderThan` (rounded up); other rules do not apply to archives. */
export function ttlDaysOf(def: JobDefinition, now: Date): number {
  if (!def.retention.olderThan) return KEEP_FOREVER_DAYS;
  const nowSecs = Math.floor(now.getTime() / 1000);
  const cutoff = parseTimeSpec(def.retention.olderThan, { now: nowSecs, sessionTimes: [] });
  return Math.max(1, Math.ceil((nowSecs - cutoff) / 86_400));
}

/** The archive engine's job for a definition (secrets come from the definition, never from a command line). */
export function toArchiveJob(def: JobDefinition, repository: string, host: HostConnection, now: Date): ArchiveJob {
  const base = { name: def.name, repository, prefix: host.name.replace(/[/\s]/g, "_"), ttlDays: ttlDaysOf(def, now) };
  const password = def.secrets?.password;
  const dbs = (list: string[]) => (list.length === 0 ? ("all" as const) : list);
  let job: ArchiveJobInput;
  switch (def.method) {
    case "mirror":
      throw new AgentError("fatal", `Job "${def.name}" is a mirror job, not an archive job`);
    case "tarball":
    case "tarball_incremental": {
      const o = def.options;
      const tarball = { targets: def.sources, nameFormat: o.nameFormat, fileType: FILE_TYPE[o.compression], blacklist: def.excludes };
      job = def.method === "tarball"
        ? { ...base, methods: ["tarball"], tarball }
        : { ...base, methods: ["tarball-incremental"], tarball, incremental: { frequency: def.options.masterFrequency, value: def.options.masterDay } };
      break;
    }
    case "mysql":
    case "pgsql": {
      const o = def.options;
      const section = { databases: dbs(o.databases), user: o.user, password, host: o.host, port: o.port, compression: o.compression };
      job = def.method === "mysql" ? { ...base, methods: ["mysql"], mysql: section } : { ...base, methods: ["pgsql"], pgsql: section };
      break;
    }
    case "pipe": {
      const dot = def.options.archiveName.indexOf(".");
      const name = dot > 0 ? def.options.archiveName.slice(0, dot) : def.options.archiveName;
      const fileType = dot > 0 ? def.options.archiveName.slice(dot + 1) : "txt";
      job = { ...base, methods: ["pipe"], pipe: [{ name, shell: def.options.command, fileType, compression: def.options.compression }] };
      break;
    }
    case "svn":
      job = { ...base, methods: ["svn"], svn: { repositories: def.sources, compression: def.options.compression } };
      break;
  }
  const r = archiveJob.safeParse(job);
  if (!r.success) throw new AgentError("fatal", `Job "${def.name}" cannot run as an archive job: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/**
 * Runs the archive job; writes its change set (dump entries) and hands the upload to the recorder, with the
 * sessions whose archives the TTL purge removed (`removedSessions`).
 */
export async function runArchiveSession(task: BackupTask, repository: string): Promise<ArchiveRunResult & { removedSessions: number[] }> {
  const def = task.job.definition;
  const now = task.now?.() ?? new Date();
  const job = toArchiveJob(def, repository, task.host, now);
  const { olderThan: _o, ...others } = def.retention;
  if (Object.values(others).some((v) => v !== undefined)) {
    task.recorder.log(`Retention: archives are purged by age only (older than ${job.ttlDays} days); keep-last/daily/weekly/monthly do not apply to them`);
  }
  const entries: ChangeSetEntry[] = [];
  const callbacks: EngineCallbacks = {
    signal: task.signal,
    onLog: (line) => task.recorder.log(line),
    onItemError: (p, err) => task.recorder.log(`WARNING: "${p}": ${err.message}`),
    onProgress: (p) => task.recorder.progress(p),
    onChange: (e) => entries.push(e),
  };
  const result = task.host.local ? await runArchiveJob(job, { now, callbacks }) : await runOnHost(task, job, now, callbacks);
  for (const name of result.purged) task.recorder.log(`Purged "${name}" (older than ${job.ttlDays} days)`);
  const out = createWriteStream(task.recorder.changeSetPath);
  out.write(JSON.stringify({ v: 1, kind: "header", format: "archive", time: result.time, previousTime: null }) + "\n");
  for (const e of entries) out.write(JSON.stringify(e) + "\n");
  out.end();
  await once(out, "close");
  const outputs = result.outputs;
  const incremental = def.method === "tarball_incremental" && !outputs.some((o) => o.includes(".master."));
  await task.recorder.changeSet({
    file: task.recorder.changeSetPath,
    repository,
    incrementKind: incremental ? "incremental" : "full",
    sizeBytes: result.stats.incrementBytes,
    archives: outputs,
  });
  const removed = await recordArchiveSession(task.stateDir, repository, result.time, outputs, result.purged);
  if (removed.length > 0) await task.recorder.removed(repository, removed);
  return { ...result, removedSessions: removed };
}

/**
 * An archive job of an SSH host: connects first (an unreachable host or refused key writes nothing), then
 * runs the job as a local one (lock, TTL purge, methods in the agent's repository) with tar and the dump
 * commands running on the host.
 */
async function runOnHost(task: BackupTask, job: ArchiveJob, now: Date, callbacks: EngineCallbacks): Promise<ArchiveRunResult> {
  const { client } = await connectToHost(task.host, { stateDir: task.stateDir, checkHostKey: task.checkHostKey, signal: task.signal });
  try {
    const sftp = job.tarball ? await startSftp(client) : undefined;
    try {
      const runner = new SshRunner(client, task.host.name);
      return await runArchiveJob(job, { now, callbacks, host: { name: task.host.name, runner, sftp } });
    } finally {
      sftp?.close();
    }
  } finally {
    client.end();
  }
}
