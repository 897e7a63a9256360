// The pipe method: any command's standard output into a compressed archive `P-NAME.DATE.FILETYPE[.gz]`.
// Commands are argv arrays; a shell runs only when an entry asks for one (`shell`), with pipefail.
import { formatDay, pipeOutputName } from "../archive/naming";
import { runDumpSteps, type DumpContext, type DumpStep, type StepsOutcome } from "./dump-step";
import type { Compression } from "./write-command-output";

/** One pipe archive (one index of backup-manager's BM_PIPE_* arrays). */
export interface PipeEntry {
  name: string;
  /** argv run without a shell; exactly one of `command` and `shell` is set. */
  command?: string[];
  /** A shell command line, run by `bash -o pipefail -c` so a failure at any stage fails the archive. */
  shell?: string;
  /** Extension before compression, e.g. "txt" or "sql". */
  fileType: string;
  compression: Compression;
}

/** Validates an entry; returns the argv to run. */
export function pipeArgv(e: PipeEntry): string[] {
  if (!e.name || /[/\s]/.test(e.name)) throw new Error(`Invalid pipe archive name "${e.name}"`);
  if (!e.fileType) throw new Error(`Pipe archive "${e.name}" has no file type`);
  if (e.command && e.shell !== undefined) throw new Error(`Pipe archive "${e.name}" sets both a command and a shell line`);
  if (e.shell !== undefined) return ["bash", "-o", "pipefail", "-c", e.shell];
  if (!e.command || e.command.length === 0) throw new Error(`Pipe archive "${e.name}" has no command`);
  return e.command;
}

/** Runs every entry; an invalid entry is reported and skipped without shifting the others. */
export async function dumpPipes(ctx: DumpContext, entries: PipeEntry[]): Promise<StepsOutcome> {
  const day = formatDay(ctx.now);
  const steps: DumpStep[] = [];
  const invalid: Error[] = [];
  for (const e of entries) {
    try {
      steps.push({
        argv: pipeArgv(e),
        name: pipeOutputName(ctx.prefix, day, e.name, e.fileType, e.compression),
        compression: e.compression,
        label: `pipe "${e.name}"`,
      });
    } catch (err) {
      invalid.push(err as Error);
      ctx.callbacks.onItemError?.(e.name, err as Error);
    }
  }
  if (steps.length === 0 && invalid.length > 0) throw invalid[0];
  const outcome = await runDumpSteps(ctx, steps);
  outcome.errors.push(...invalid);
  return outcome;
}
