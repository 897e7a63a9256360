// `strata-agent archive run|purge|extract|list`: the backup-manager-style archive engine from the CLI.
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { extractMember, listMembers } from "../../engines/archive/extract";
import { withLock } from "../../engines/archive/lock";
import { formatDay } from "../../engines/archive/naming";
import { purgeRepository } from "../../engines/archive/purge";
import { lockPathOf, runArchiveJob } from "../../engines/archive/run-job";
import { loadJobFile, parseVerbArgs, runClock } from "./archive-job-file";

const RUN_USAGE = `Usage: strata-agent archive run --config JOB.json [--date YYYYMMDD] [--dry-run]

Runs an archive job (lib/schemas/archive-job.ts): lock, TTL purge, each method (tarball,
tarball-incremental, mysql, pgsql, svn, pipe) into backup-manager-named archives, upload.

Options:
  --config FILE     the job definition (JSON)
  --date YYYYMMDD   run as if today were this day (names, master day, purge)
  --dry-run         list what purge would remove and which methods would run; write nothing

Exit codes: 0 ok, 1 failed, 2 bad job or options, 3 some targets or dumps failed, 4 already running.`;

const PURGE_USAGE = `Usage: strata-agent archive purge --config JOB.json [--date YYYYMMDD] [--dry-run]

Removes expired archives of the job's repository: whole chains (a master with its incrementals) older
than the TTL when a newer master exists, lone archives older than the TTL; --dry-run only lists them.`;

const EXTRACT_USAGE = `Usage: strata-agent archive extract ARCHIVE MEMBER [-o OUT] [-v]

Writes one member's bytes to OUT (default: standard output). Uses the archive's index sidecar
(ARCHIVE.idx.json) to read only the blocks holding the member; zip uses its central directory;
archives without an index (e.g. written by backup-manager) are scanned with GNU tar.
  -v   report on standard error how many archive bytes were read`;

const LIST_USAGE = `Usage: strata-agent archive list ARCHIVE [--json]

Lists the members of an archive (from its index, zip directory, or a tar scan).`;

const logTo = (line: string) => process.stdout.write(line + "\n");
const warn = (p: string, err: Error) => process.stderr.write(`WARNING: "${p}": ${err.message}\n`);

export const archiveRunCommand: CliCommand = {
  names: ["archive", "run"],
  summary: "Run an archive job (tarballs, incrementals, dumps, purge, upload)",
  usage: RUN_USAGE,
  async run(args) {
    const { values } = parseVerbArgs("archive run", args, { config: { type: "string" }, date: { type: "string" }, "dry-run": { type: "boolean" } }, RUN_USAGE);
    const job = await loadJobFile(values.config as string | undefined, RUN_USAGE);
    const now = runClock(values.date as string | undefined);
    let result;
    try {
      result = await runArchiveJob(job, { now, dryRun: !!values["dry-run"], callbacks: { onLog: logTo, onItemError: warn } });
    } catch (err) {
      if (err instanceof AgentError) throw err;
      throw new AgentError("fatal", `Archive job "${job.name}" failed: ${(err as Error).message}`, { cause: err });
    }
    logTo(`Job "${job.name}" ${formatDay(now)}: ${result.outputs?.length ?? 0} archives written, ${result.purged.length} purged, ${result.stats.errors} errors`);
    if (result.status === "partial") throw new AgentError("partial", `Archive job "${job.name}" finished with ${result.stats.errors} errors`);
    return 0;
  },
};

export const archivePurgeCommand: CliCommand = {
  names: ["archive", "purge"],
  summary: "Remove expired archives of an archive job (--dry-run lists them)",
  usage: PURGE_USAGE,
  async run(args) {
    const { values } = parseVerbArgs("archive purge", args, { config: { type: "string" }, date: { type: "string" }, "dry-run": { type: "boolean" } }, PURGE_USAGE);
    const job = await loadJobFile(values.config as string | undefined, PURGE_USAGE);
    const policy = { ttlDays: job.ttlDays, prefix: job.prefix, strict: job.strictPurge, today: formatDay(runClock(values.date as string | undefined)) };
    const dryRun = !!values["dry-run"];
    const go = () => purgeRepository(job.repository, policy, { dryRun, onLog: logTo });
    const res = dryRun ? await go() : await withLock(lockPathOf(job), job.name, go, logTo);
    logTo(`${dryRun ? "Would remove" : "Removed"} ${res.removed.length} archives, kept ${res.kept.length}`);
    return 0;
  },
};

export const archiveExtractCommand: CliCommand = {
  names: ["archive", "extract"],
  summary: "Write one member of an archive (random access through its index)",
  usage: EXTRACT_USAGE,
  async run(args) {
    const { values, positionals } = parseVerbArgs("archive extract", args, { output: { type: "string", short: "o" }, verbose: { type: "boolean", short: "v" } }, EXTRACT_USAGE);
    if (positionals.length !== 2) throw new AgentError("usage", `archive extract needs ARCHIVE and MEMBER\n\n${EXTRACT_USAGE}`);
    const [archive, member] = positionals;
    const outFile = values.output as string | undefined;
    try {
      const stats = outFile ? await extractToFile(archive, member, outFile) : await extractMember(archive, member, process.stdout);
      if (values.verbose) process.stderr.write(`${stats.size} bytes extracted, ${stats.bytesRead} archive bytes read (${stats.route})\n`);
    } catch (err) {
      throw new AgentError("fatal", (err as Error).message, { cause: err });
    }
    return 0;
  },
};

async function extractToFile(archive: string, member: string, outFile: string) {
  const part = `${outFile}.part`;
  const out = createWriteStream(part);
  try {
    const stats = await extractMember(archive, member, out);
    out.end();
    await finished(out);
    await rename(part, outFile);
    return stats;
  } catch (err) {
    out.destroy();
    await rm(part, { force: true });
    throw err;
  }
}

export const archiveListCommand: CliCommand = {
  names: ["archive", "list"],
  summary: "List the members of an archive",
  usage: LIST_USAGE,
  async run(args) {
    const { values, positionals } = parseVerbArgs("archive list", args, { json: { type: "boolean" } }, LIST_USAGE);
    if (positionals.length !== 1) throw new AgentError("usage", `archive list needs ARCHIVE\n\n${LIST_USAGE}`);
    let members;
    try {
      members = await listMembers(positionals[0]);
    } catch (err) {
      throw new AgentError("fatal", (err as Error).message, { cause: err });
    }
    for (const m of members) {
      if (values.json) logTo(JSON.stringify(m));
      else logTo(`${m.type.padEnd(8)} ${String(m.size).padStart(12)}  ${m.name}${m.link ? ` -> ${m.link}` : ""}`);
    }
    return 0;
  },
};

/** Every archive verb, for the registry. */
export const archiveCommands: CliCommand[] = [archiveRunCommand, archivePurgeCommand, archiveExtractCommand, archiveListCommand];
