// Entry points of the dump methods (mysql, pgsql, svn, pipe): per-method functions shaped like the archive
// methods (ArchiveContext in, MethodOutcome out) for the archive run, and whole-job runners giving a SessionResult.
import type { ArchiveJob } from "@/lib/schemas/archive-job";
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

/** The dump methods an archive job can list. */
export type DumpMethod = "mysql" | "pgsql" | "svn" | "pipe";
const DUMP_METHODS: readonly string[] = ["mysql", "pgsql", "svn", "pipe"];

/** Run-time choices of a whole-job run. */
export interface DumpRunOptions {
  now?: Date;
  callbacks?: EngineCallbacks;
  runner?: CommandRunner;
  permissions?: Permissions;
  force?: boolean;
  /** Only these methods (default: every dump method the job lists). */
  only?: DumpMethod[];
}

/**
 * Runs the dump methods of an archive job, in the job's order, into one SessionResult. No lock, purge or
 * upload: `runArchiveJob` does those around all methods; this is for callers that only dump.
 */
export async function runDumpJob(job: ArchiveJob, opts: DumpRunOptions = {}): Promise<SessionResult> {
  const startedAt = new Date();
  const now = opts.now ?? startedAt;
  const ctx: DumpContext = {
    repository: job.repository,
    prefix: job.prefix,
    now,
    callbacks: opts.callbacks ?? {},
    permissions: opts.permissions ?? {},
    purgeDuplicates: job.purgeDuplicates,
    niceLevel: job.niceLevel,
    runner: opts.runner,
    force: opts.force,
  };
  const methods = job.methods.filter((m): m is DumpMethod => DUMP_METHODS.includes(m) && (!opts.only || opts.only.includes(m as DumpMethod)));
  if (methods.length === 0) throw new Error(`Job "${job.name}" lists no dump method (mysql, pgsql, svn or pipe)`);
  const total: MethodOutcome = { outputs: [], errors: 0, members: 0, bytes: 0 };
  for (const method of methods) {
    ctx.callbacks.onLog?.(`Using method "${method}".`);
    const out = await runMethod(ctx, job, method);
    total.outputs.push(...out.outputs);
    total.errors += out.errors;
    total.members += out.members;
    total.bytes += out.bytes;
  }
  return {
    status: total.errors > 0 ? "partial" : "success",
    time: Math.floor(now.getTime() / 1000),
    startedAt,
    finishedAt: new Date(),
    stats: {
      sourceFiles: total.outputs.length,
      sourceBytes: total.bytes,
      changedFiles: 0,
      newFiles: total.outputs.length,
      deletedFiles: 0,
      incrementBytes: total.bytes,
      errors: total.errors,
    },
    outputs: total.outputs,
  };
}

function missing(method: DumpMethod): Error {
  return new Error(`Job method "${method}" has no "${method}" settings`);
}

async function runMethod(ctx: DumpContext, job: ArchiveJob, method: DumpMethod): Promise<MethodOutcome> {
  switch (method) {
    case "mysql":
      if (!job.mysql) throw missing(method);
      return runMysqlMethod(ctx, job.mysql);
    case "pgsql":
      if (!job.pgsql) throw missing(method);
      return runPgsqlMethod(ctx, job.pgsql);
    case "svn":
      if (!job.svn) throw missing(method);
      return runSvnMethod(ctx, job.svn);
    case "pipe":
      if (!job.pipe) throw missing(method);
      return runPipeMethod(ctx, job.pipe);
  }
}

/** runDumpJob limited to the job's pipe method. */
export const runPipeJob = (job: ArchiveJob, opts: DumpRunOptions = {}) => runDumpJob(job, { ...opts, only: ["pipe"] });

/** runDumpJob limited to the job's svn method. */
export const runSvnJob = (job: ArchiveJob, opts: DumpRunOptions = {}) => runDumpJob(job, { ...opts, only: ["svn"] });
