// Shared by the `archive` verbs: option parsing, reading and validating a job file, the run's clock.
import { readFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { AgentError } from "../../errors";
import { parseDay } from "../../engines/archive/naming";
import { parseArchiveJob, type ArchiveJob } from "@/lib/schemas/archive-job";

/** Parses `args` with node's parseArgs, turning its errors into usage errors. */
export function parseVerbArgs(
  verb: string,
  args: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    throw new AgentError("usage", `${verb}: ${(err as Error).message}\n\n${usage}`);
  }
}

/** Reads and validates a job file; every bad field is named in the message. */
export async function loadJobFile(file: string | undefined, usage: string): Promise<ArchiveJob> {
  if (!file) throw new AgentError("usage", `Option "--config JOB.json" is required\n\n${usage}`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new AgentError("usage", `Cannot read job file "${file}": ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseArchiveJob(raw);
  if (!parsed.ok) throw new AgentError("usage", `Invalid job file "${file}":\n  ${parsed.problems.join("\n  ")}`);
  return parsed.job;
}

/** The run's clock: now, or the given YYYYMMDD day at the current time of day. */
export function runClock(date: string | undefined): Date {
  const now = new Date();
  if (!date) return now;
  let d: Date;
  try {
    d = parseDay(date);
  } catch (err) {
    throw new AgentError("usage", `Option "--date": ${(err as Error).message}`);
  }
  d.setHours(now.getHours(), now.getMinutes(), now.getSeconds());
  return d;
}
