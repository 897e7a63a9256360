// Entry points of the dump methods (mysql, pgsql, svn, pipe): per-method functions shaped like the archive
// methods (ArchiveContext in, MethodOutcome out) for the archive run, and whole-job runners giving a SessionResult.
import type { MethodOutcome } from "../archive/tarball";
import type { EngineCallbacks, SessionResult } from "../types";
import type { Permissions } from "../archive/permissions";
import type { DumpContext, StepsOutcome } from "./dump-step";
import { dumpMysql, type MysqlSettings } from "./mysql";
import { dumpPgsql, type PgsqlSettings } from "./pgsql";
import { dumpPipes, type PipeEntry } from "./pipe";
import type { CommandRunner } from "./runner";
import { dumpSvn, type SvnSettings } from "./svn";

export type { DumpContext } from "./dump-step";
export type { MysqlSettings } from "./mysql";
export type { PgsqlSettings } from "./pgsql";
export type { PipeEntry } from "./pipe";
export type { SvnSettings } from "./svn";
export type { CommandRunner } from "./runner";
export { LocalRunner } from "./runner";
export { parseCompression } from "./write-command-output";

function toMethodOutcome(o: StepsOutcome): MethodOutcome {
  return {
    outputs: o.outputs.map((x) => x.name),
    errors: o.errors.length,
    members: o.outputs.length,
    bytes: o.outputs.reduce((n, x) => n + x.size, 0),
  };
}

/** The mysql method over an archive run's context. */
export async function runMysqlMethod(ctx: DumpContext, s: MysqlSettings): Promise<MethodOutcome> {
  return toMethodOutcome(await dumpMysql(ctx, s));
}

/** The pgsql method over an archive run's context. */
export async function runPgsqlMethod(ctx: DumpContext, s: PgsqlSettings): Promise<MethodOutcome> {
  return toMethodOutcome(await dumpPgsql(ctx, s));
}

/** The svn method over an archive run's context. */
export async function runSvnMethod(ctx: DumpContext, s: SvnSettings): Promise<MethodOutcome> {
  return toMethodOutcome(await dumpSvn(ctx, s));
}

/** The pipe method over an archive run's context. */
export async function runPipeMethod(ctx: DumpContext, entries: PipeEntry[]): Promise<MethodOutcome> {
  return toMethodOutcome(await dumpPipes(ctx, entries));
}

/** The parts of an archive job the dump methods read (field names as in the archive job schema). */
export interface DumpJob {
  method: "mysql" | "pgsql" | "svn" | "pipe";
  repository: string;
  prefix: string;
  niceLevel?: number;
  purgeDuplicates?: boolean;
  mysql?: MysqlSettings;
  pgsql?: PgsqlSettings;
  svn?: SvnSettings;
  pipe?: PipeEntry[];
}

/** Run-time choices of a whole-job run. */
export interface DumpRunOptions {
  now?: Date;
  callbacks?: EngineCallbacks;
  runner?: CommandRunner;
  permissions?: Permissions;
  force?: boolean;
}

/** Runs one dump job's method (no lock, purge or upload: the archive run does those) into a SessionResult. */
export async function runDumpJob(job: DumpJob, opts: DumpRunOptions = {}): Promise<SessionResult> {
  const startedAt = new Date();
  const now = opts.now ?? startedAt;
  const ctx: DumpContext = {
    repository: job.repository,
    prefix: job.prefix,
    now,
    callbacks: opts.callbacks ?? {},
    permissions: opts.permissions ?? {},
    purgeDuplicates: job.purgeDuplicates ?? false,
    niceLevel: job.niceLevel,
    runner: opts.runner,
    force: opts.force,
  };
  const out = await runMethod(ctx, job);
  return {
    status: out.errors > 0 ? "partial" : "success",
    time: Math.floor(now.getTime() / 1000),
    startedAt,
    finishedAt: new Date(),
    stats: {
      sourceFiles: out.outputs.length,
      sourceBytes: out.bytes,
      changedFiles: 0,
      newFiles: out.outputs.length,
      deletedFiles: 0,
      incrementBytes: out.bytes,
      errors: out.errors,
    },
    outputs: out.outputs,
  };
}

function missing(job: DumpJob): Error {
  return new Error(`Job method "${job.method}" has no "${job.method}" settings`);
}

async function runMethod(ctx: DumpContext, job: DumpJob): Promise<MethodOutcome> {
  switch (job.method) {
    case "mysql":
      if (!job.mysql) throw missing(job);
      return runMysqlMethod(ctx, job.mysql);
    case "pgsql":
      if (!job.pgsql) throw missing(job);
      return runPgsqlMethod(ctx, job.pgsql);
    case "svn":
      if (!job.svn) throw missing(job);
      return runSvnMethod(ctx, job.svn);
    case "pipe":
      if (!job.pipe) throw missing(job);
      return runPipeMethod(ctx, job.pipe);
  }
}

/** Same as runDumpJob, for a pipe job. */
export const runPipeJob = (job: DumpJob & { method: "pipe" }, opts?: DumpRunOptions) => runDumpJob(job, opts);

/** Same as runDumpJob, for an svn job. */
export const runSvnJob = (job: DumpJob & { method: "svn" }, opts?: DumpRunOptions) => runDumpJob(job, opts);
