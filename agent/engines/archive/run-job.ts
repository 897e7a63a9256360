// One run of an archive job, in backup-manager's order: lock, repository (created, permissions, must be
// writable before any work), TTL purge, each method in turn, upload; the lock is released whatever happens.
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "@/agent/errors";
import type { ArchiveJob } from "@/lib/schemas/archive-job";
import { runMysqlMethod, runPgsqlMethod, runPipeMethod, runSvnMethod } from "../dump";
import type { EngineCallbacks, SessionResult } from "../types";
import { runUpload } from "./upload/run-upload";
import { describeWriteError } from "./atomic-file";
import { acquireLock } from "./lock";
import { formatDay, md5FileName, sha256FileName } from "./naming";
import { applyPermissions, resolvePermissions } from "./permissions";
import { planPurge, purgeRepository } from "./purge";
import type { DumpContext } from "../dump/dump-step";
import type { RemoteTarHost } from "./remote-tarball";
import { runTarballMethod, type ArchiveContext } from "./tarball";

/** Options of one run: its clock, dry-run, callbacks, and the SSH host whose data it archives (if not the agent's). */
export interface RunJobOptions {
  now: Date;
  dryRun?: boolean;
  callbacks?: EngineCallbacks;
  /** Tar and the dump commands run on this host; the archives are written on the agent. */
  host?: RemoteTarHost;
}

/** The session result plus what purge removed (or would remove, with dryRun). */
export interface ArchiveRunResult extends SessionResult {
  outputs: string[];
  purged: string[];
}

/** Default lock file of a job. */
export function lockPathOf(job: ArchiveJob): string {
  return job.lockFile ?? path.join(job.repository, `.strata-${job.name}.lock`);
}

async function prepareRepository(job: ArchiveJob, ctx: ArchiveContext): Promise<void> {
  const repo = job.repository;
  try {
    await mkdir(repo, { recursive: true });
    await applyPermissions(repo, ctx.permissions, ctx.permissions.repositoryMode);
    const probe = path.join(repo, `.strata-write-test-${process.pid}`);
    await writeFile(probe, "");
    await rm(probe);
  } catch (err) {
    throw new AgentError("fatal", `Cannot write to repository "${repo}": ${describeWriteError(err)}`, { cause: err });
  }
}

async function readSecret(s: { password?: string; passwordFile?: string }): Promise<string | undefined> {
  if (!s.passwordFile) return s.password;
  try {
    return (await readFile(s.passwordFile, "utf8")).replace(/\r?\n$/, "");
  } catch (err) {
    throw new AgentError("usage", `Cannot read password file "${s.passwordFile}": ${(err as Error).message}`, { cause: err });
  }
}

/** Runs one method; returns outputs written and items that failed. */
async function runMethod(job: ArchiveJob, method: ArchiveJob["methods"][number], ctx: DumpContext) {
  switch (method) {
    case "tarball":
    case "tarball-incremental": {
      const s = job.tarball!;
      const incremental = method === "tarball-incremental" ? (job.incremental ?? { frequency: "weekly", value: 1 }) : undefined;
      return runTarballMethod(ctx, { ...s, incremental });
    }
    case "mysql":
      return runMysqlMethod(ctx, { ...job.mysql!, password: await readSecret(job.mysql!) });
    case "pgsql":
      return runPgsqlMethod(ctx, { ...job.pgsql!, password: await readSecret(job.pgsql!) });
    case "svn":
      return runSvnMethod(ctx, job.svn!);
    case "pipe":
      return runPipeMethod(ctx, job.pipe!);
  }
}

/** After each method, the md5 file (and Strata's SHA-256 manifest) get the archives' owner and mode, as backup-manager does (spec §3.7). */
async function secureChecksumFiles(job: ArchiveJob, ctx: ArchiveContext): Promise<void> {
  for (const name of [md5FileName(job.prefix), sha256FileName(job.prefix)]) {
    const file = path.join(job.repository, name);
    if (!(await stat(file).catch(() => undefined))) continue;
    try {
      await applyPermissions(file, ctx.permissions, ctx.permissions.archiveMode);
    } catch (err) {
      throw new AgentError("fatal", `Cannot set permissions of "${file}": ${describeWriteError(err)}`, { cause: err });
    }
  }
}

/** Runs the job once. Throws AgentError "locked" when another run holds the lock. */
export async function runArchiveJob(job: ArchiveJob, opts: RunJobOptions): Promise<ArchiveRunResult> {
  const failures: string[] = [];
  const callbacks: EngineCallbacks = {
    ...opts.callbacks,
    onItemError: (p, err) => {
      failures.push(err.message);
      opts.callbacks?.onItemError?.(p, err);
    },
  };
  const startedAt = new Date();
  const ctx: DumpContext = {
    repository: job.repository,
    prefix: job.prefix,
    now: opts.now,
    callbacks,
    permissions: await resolvePermissions(job.permissions),
    purgeDuplicates: job.purgeDuplicates,
    niceLevel: job.niceLevel,
    host: opts.host,
    runner: opts.host?.runner,
  };
  const policy = { ttlDays: job.ttlDays, prefix: job.prefix, strict: job.strictPurge, today: formatDay(opts.now) };
  if (opts.dryRun) return dryRun(job, opts, policy, startedAt);
  await prepareRepository(job, ctx);
  const lock = await acquireLock(lockPathOf(job), job.name, callbacks.onLog);
  try {
    callbacks.onLog?.(`Cleaning ${job.repository}`);
    const { removed } = await purgeRepository(job.repository, policy, { onLog: callbacks.onLog });
    const result = { outputs: [] as string[], errors: 0, members: 0, bytes: 0 };
    for (const method of job.methods) {
      callbacks.onLog?.(`Using method "${method}".`);
      const r = await runMethod(job, method, ctx).catch((err: unknown) => {
        if (callbacks.signal?.aborted) throw new AgentError("cancelled", `Archive job "${job.name}" was cancelled`, { cause: err });
        throw err;
      });
      await secureChecksumFiles(job, ctx);
      result.outputs.push(...r.outputs);
      result.errors += r.errors;
      result.members += r.members;
      result.bytes += r.bytes;
    }
    if (job.upload) {
      const up = await runUpload(job.upload, {
        repository: job.repository,
        prefix: job.prefix,
        now: opts.now,
        ttlDays: job.ttlDays,
        strictPurge: job.strictPurge,
        callbacks,
      });
      if (up.status === "partial") result.errors++;
    }
    // Nothing made and something failed (a missing target, tar's error exit): the run failed, with the reasons.
    if (result.outputs.length === 0 && failures.length > 0) throw new AgentError("fatal", failures.join("; "));
    return {
      status: result.errors > 0 ? "partial" : "success",
      time: Math.floor(opts.now.getTime() / 1000),
      startedAt,
      finishedAt: new Date(),
      stats: {
        sourceFiles: result.members,
        sourceBytes: 0,
        changedFiles: 0,
        newFiles: 0,
        deletedFiles: 0,
        incrementBytes: result.bytes,
        errors: result.errors,
      },
      outputs: result.outputs,
      purged: removed,
    };
  } finally {
    await lock.release();
  }
}

async function dryRun(
  job: ArchiveJob,
  opts: RunJobOptions,
  policy: Parameters<typeof planPurge>[1],
  startedAt: Date,
): Promise<ArchiveRunResult> {
  const names = await readdir(job.repository).catch(() => [] as string[]);
  const purged = planPurge(names, policy)
    .filter((v) => v.remove)
    .map((v) => v.name);
  for (const n of purged) opts.callbacks?.onLog?.(`Would remove archive "${path.join(job.repository, n)}".`);
  for (const m of job.methods) opts.callbacks?.onLog?.(`Would run method "${m}".`);
  const stats = { sourceFiles: 0, sourceBytes: 0, changedFiles: 0, newFiles: 0, deletedFiles: 0, incrementBytes: 0, errors: 0 };
  return { status: "success", time: Math.floor(opts.now.getTime() / 1000), startedAt, finishedAt: new Date(), stats, outputs: [], purged };
}
