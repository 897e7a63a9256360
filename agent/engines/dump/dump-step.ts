// One dump step shared by every dump method: run a command on the runner, compress its output into the
// repository under its final name, report it; plus the small helpers the methods share.
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { recordArchiveHashes } from "../archive/hashes";
import { applyPermissions } from "../archive/permissions";
import { purgeDuplicates } from "../archive/purge";
import { reportArchiveChanges, type ArchiveContext } from "../archive/tarball";
import { describeExit, LocalRunner, type CommandRunner } from "./runner";
import { writeCommandOutput, type Compression } from "./write-command-output";

/** What a dump method needs: the archive methods' run context plus where commands run. */
export interface DumpContext extends ArchiveContext {
  /** Local child processes by default; an SshRunner runs the dumps on a remote host. */
  runner?: CommandRunner;
  /** Rebuild an archive that already exists (backup-manager `--force`). */
  force?: boolean;
}

/** One archive a dump step wrote. */
export interface DumpOutput {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** What one dump step runs and where its output goes. */
export interface DumpStep {
  argv: string[];
  env?: Record<string, string>;
  name: string;
  compression: Compression;
  /** Names the dump in messages, e.g. `MySQL database "shop"`. */
  label: string;
}

/** Runs one step; null when the archive already existed and `force` is off (backup-manager skips it). */
export async function runDumpStep(ctx: DumpContext, step: DumpStep): Promise<DumpOutput | null> {
  const dest = path.join(ctx.repository, step.name);
  if (!ctx.force && (await exists(dest))) {
    ctx.callbacks.onLog?.(`File "${dest}" already exists, skipping.`);
    return null;
  }
  const argv = ctx.niceLevel === undefined ? step.argv : ["nice", "-n", String(ctx.niceLevel), ...step.argv];
  ctx.callbacks.onLog?.(`Dumping ${step.label} into "${step.name}".`);
  const cmd = runnerOf(ctx).start(argv, { env: step.env });
  const size = await writeCommandOutput(cmd, {
    dest,
    compression: step.compression,
    label: step.label,
    command: step.argv[0],
    signal: ctx.callbacks.signal,
  });
  await applyPermissions(dest, ctx.permissions, ctx.permissions.archiveMode);
  const hashes = await recordArchiveHashes(ctx.repository, ctx.prefix, step.name);
  // The dump is one path (its name without the date) whose versions are the files as stored.
  await reportArchiveChanges(ctx, step.name);
  if (ctx.purgeDuplicates) await purgeDuplicates(ctx.repository, step.name, ctx.prefix, ctx.callbacks.onLog);
  return { name: step.name, path: dest, size, sha256: hashes.sha256 };
}

const localRunner = new LocalRunner();

/** The context's runner, or local child processes. */
export function runnerOf(ctx: DumpContext): CommandRunner {
  return ctx.runner ?? localRunner;
}

/** Runs a short command and returns its standard output; throws with its stderr when it fails. */
export async function runToString(
  runner: CommandRunner,
  argv: string[],
  what: string,
  env?: Record<string, string>,
): Promise<string> {
  const cmd = runner.start(argv, { env });
  const chunks: Buffer[] = [];
  cmd.stdout.on("data", (c: Buffer) => chunks.push(c));
  const exit = await cmd.done;
  if (exit.code !== 0) throw new Error(`Cannot ${what}: ${argv[0]} ${describeExit(exit)}`);
  return Buffer.concat(chunks).toString("utf8");
}

/** The first of `candidates` the runner's host has; throws naming them all when none is installed. */
export async function pickCommand(runner: CommandRunner, candidates: string[]): Promise<string> {
  for (const c of candidates) if (await runner.hasCommand(c)) return c;
  throw new Error(`Cannot find ${candidates.map((c) => `"${c}"`).join(" or ")} on ${runner.host}: install it first`);
}

/** The password of a dump: `password`, else the content of `passwordFile` (one trailing newline dropped). */
export async function readPassword(s: { password?: string; passwordFile?: string }): Promise<string | undefined> {
  if (s.password !== undefined || !s.passwordFile) return s.password;
  try {
    return (await readFile(s.passwordFile, "utf8")).replace(/\r?\n$/, "");
  } catch (err) {
    throw new Error(`Cannot read password file "${s.passwordFile}": ${(err as Error).message}`, { cause: err });
  }
}

/** Database names must not look like options, since they are passed as arguments. */
export function checkDatabaseName(db: string): void {
  if (db === "" || db.startsWith("-")) throw new Error(`Invalid database name "${db}"`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Outcome of a list of steps: archives written, archives skipped, and the steps that failed. */
export interface StepsOutcome {
  outputs: DumpOutput[];
  skipped: number;
  errors: Error[];
}

/**
 * Runs steps in order. A failing step is reported through `onItemError` and the others still run;
 * if every step failed the first error is thrown, so a wrong password fails the run outright.
 */
export async function runDumpSteps(ctx: DumpContext, steps: DumpStep[]): Promise<StepsOutcome> {
  const outcome: StepsOutcome = { outputs: [], skipped: 0, errors: [] };
  for (const step of steps) {
    if (ctx.callbacks.signal?.aborted) throw new Error("Dump run was cancelled");
    try {
      const out = await runDumpStep(ctx, step);
      if (out) outcome.outputs.push(out);
      else outcome.skipped++;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcome.errors.push(error);
      ctx.callbacks.onItemError?.(step.name, error);
    }
  }
  if (outcome.errors.length > 0 && outcome.errors.length === steps.length) throw outcome.errors[0];
  return outcome;
}
