// The svn dump method: `svnadmin -q dump REPO` for each repository, compressed, one archive per repository.
import { stat } from "node:fs/promises";
import { formatDay, svnDumpName } from "../archive/naming";
import { pickCommand, runDumpSteps, runnerOf, type DumpContext, type DumpStep, type StepsOutcome } from "./dump-step";
import type { Compression } from "./write-command-output";

/** Settings of an svn dump (BM_SVN_REPOSITORIES, BM_SVN_COMPRESSWITH). */
export interface SvnSettings {
  /** Absolute repository paths. */
  repositories: string[];
  compression: Compression;
}

/** Dumps each repository; a path that is not a directory is reported as an item error and skipped. */
export async function dumpSvn(ctx: DumpContext, s: SvnSettings): Promise<StepsOutcome> {
  const svnadmin = await pickCommand(runnerOf(ctx), ["svnadmin"]);
  const day = formatDay(ctx.now);
  const steps: DumpStep[] = [];
  let invalid = 0;
  for (const repo of s.repositories) {
    // The local check only applies when the dump runs here; a remote runner lets svnadmin decide.
    if (runnerOf(ctx).host === "localhost" && !(await isDirectory(repo))) {
      invalid++;
      ctx.callbacks.onItemError?.(repo, new Error(`SVN repository "${repo}" is not valid; skipping`));
      continue;
    }
    steps.push({
      argv: [svnadmin, "-q", "dump", repo],
      name: svnDumpName(ctx.prefix, day, repo, s.compression),
      compression: s.compression,
      label: `SVN repository "${repo}"`,
    });
  }
  const outcome = await runDumpSteps(ctx, steps);
  for (let i = 0; i < invalid; i++) outcome.errors.push(new Error("invalid SVN repository"));
  return outcome;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
