// `strata-agent backup-manager -c FILE` (run an existing backup-manager configuration's archive methods)
// and `strata-agent backup-manager import FILE` (print the equivalent Strata archive job). The file is
// read, never executed as shell.
import { readFile } from "node:fs/promises";
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { importBmConfig, type BmImport } from "../../engines/archive/backup-manager-config";
import { formatDay, parseDay } from "../../engines/archive/naming";
import { runArchiveJob } from "../../engines/archive/run-job";
import { parseVerbArgs } from "./archive-job-file";

const IMPORT_USAGE = `Usage: strata-agent backup-manager import FILE [--json] [--hostname NAME]

Reads a backup-manager configuration file (e.g. /etc/backup-manager.conf) without executing it and
prints the equivalent Strata archive job (lib/schemas/archive-job.ts) as JSON. Keys or values that
cannot be mapped are reported as warnings on standard error; blocking problems make the exit code 2.
  --json            print one JSON object {"jobs":[…],"warnings":[…],"errors":[…]} on standard output
  --hostname NAME   value of $HOSTNAME in the file (default: this machine's host name)`;

const RUN_USAGE = `Usage: strata-agent backup-manager -c FILE [--now TIME] [--dry-run]

Runs the archive methods of a backup-manager configuration file (tarball, tarball-incremental, mysql,
pgsql, svn, pipe) into BM_REPOSITORY_ROOT with backup-manager's names, purge rules and md5 file. The
file is parsed, not executed; keys Strata cannot honour are reported, and a blocking one stops the run.
  -c, --conffile FILE   the configuration file
  --now TIME            the run's clock: YYYYMMDD, YYYY-MM-DD or an ISO date-time (default: now)
  --dry-run             list what purge would remove and which methods would run

Exit codes: 0 ok, 1 failed, 2 bad configuration or options, 3 some targets or dumps failed, 4 already running.`;

/** Parses --now: YYYYMMDD or YYYY-MM-DD (local midnight) or any ISO date-time. */
export function parseNow(text: string | undefined): Date {
  if (!text) return new Date();
  if (/^\d{8}$/.test(text)) return parseDay(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) return parseDay(day[1] + day[2] + day[3]);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new AgentError("usage", `Option "--now": invalid time "${text}" (YYYYMMDD, YYYY-MM-DD or an ISO date-time)`);
  return d;
}

async function load(file: string, o: { hostname?: string; now?: Date }): Promise<BmImport> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new AgentError("usage", `Cannot read backup-manager configuration "${file}": ${(err as Error).message}`, { cause: err });
  }
  return importBmConfig(text, { file, ...o });
}

export const backupManagerImportCommand: CliCommand = {
  names: ["backup-manager", "import"],
  summary: "Print the Strata archive job equivalent to a backup-manager configuration file",
  usage: IMPORT_USAGE,
  async run(args) {
    const { values, positionals } = parseVerbArgs("backup-manager import", args, { json: { type: "boolean" }, hostname: { type: "string" } }, IMPORT_USAGE);
    if (positionals.length !== 1) throw new AgentError("usage", `backup-manager import needs one FILE\n\n${IMPORT_USAGE}`);
    const r = await load(positionals[0], { hostname: values.hostname as string | undefined });
    if (values.json) {
      process.stdout.write(JSON.stringify({ jobs: r.job ? [r.job] : [], warnings: r.warnings, errors: r.errors }, null, 2) + "\n");
    } else {
      process.stdout.write(JSON.stringify(r.job ?? r.input, null, 2) + "\n");
      for (const w of r.warnings) process.stderr.write(`WARNING: ${w}\n`);
      for (const e of r.errors) process.stderr.write(`ERROR: ${e}\n`);
    }
    return r.errors.length ? 2 : 0;
  },
};

export const backupManagerRunCommand: CliCommand = {
  names: ["backup-manager"],
  summary: "Run the archive methods of a backup-manager configuration file (read, not executed)",
  usage: RUN_USAGE,
  async run(args) {
    const { values, positionals } = parseVerbArgs(
      "backup-manager",
      args,
      { conffile: { type: "string", short: "c" }, now: { type: "string" }, "dry-run": { type: "boolean" } },
      RUN_USAGE,
    );
    if (positionals.length) throw new AgentError("usage", `backup-manager: unexpected argument "${positionals[0]}"\n\n${RUN_USAGE}`);
    const file = values.conffile as string | undefined;
    if (!file) throw new AgentError("usage", `Option "-c FILE" is required\n\n${RUN_USAGE}`);
    const now = parseNow(values.now as string | undefined);
    const r = await load(file, { now });
    for (const w of r.warnings) process.stderr.write(`WARNING: ${w}\n`);
    if (!r.job) throw new AgentError("usage", `Cannot run "${file}":\n  ${r.errors.join("\n  ")}`);
    const job = r.job;
    let result;
    try {
      result = await runArchiveJob(job, {
        now,
        dryRun: !!values["dry-run"],
        callbacks: { onLog: (l) => process.stdout.write(l + "\n"), onItemError: (p, e) => process.stderr.write(`WARNING: "${p}": ${e.message}\n`) },
      });
    } catch (err) {
      if (err instanceof AgentError) throw err;
      throw new AgentError("fatal", `backup-manager configuration "${file}" failed: ${(err as Error).message}`, { cause: err });
    }
    process.stdout.write(`${formatDay(now)}: ${result.outputs?.length ?? 0} archives written, ${result.purged.length} purged, ${result.stats.errors} errors\n`);
    if (result.status === "partial") throw new AgentError("partial", `"${file}" finished with ${result.stats.errors} errors`);
    return 0;
  },
};

export const backupManagerCommands: CliCommand[] = [backupManagerImportCommand, backupManagerRunCommand];
