// `strata-agent archive upload` (backup-manager's `--upload` single action: today's archives to the job's
// SFTP hosts, then the remote TTL purge) and `strata-agent archive host-key` (a host's fingerprint to pin).
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { withLock } from "../../engines/archive/lock";
import { formatDay } from "../../engines/archive/naming";
import { lockPathOf } from "../../engines/archive/run-job";
import { runUpload } from "../../engines/archive/upload/run-upload";
import { fetchHostKeyFingerprint } from "../../engines/archive/upload/ssh-connect";
import { loadJobFile, parseVerbArgs, runClock } from "./archive-job-file";

const UPLOAD_USAGE = `Usage: strata-agent archive upload --config JOB.json [--date YYYYMMDD] [--dry-run]

Uploads the job repository's archives of the day (every top-level file whose name contains
YYYYMMDD) to the job's upload hosts over SFTP, each to NAME.part, verified (size and remote
sha256sum), then renamed; an interrupted upload resumes where it stopped. Then removes the
remote archives the TTL expires (whole chains, as the local purge does).

Options:
  --config FILE     the job definition (JSON) with an "upload" section
  --date YYYYMMDD   upload that day's archives and purge as of that day
  --dry-run         list what would be uploaded and purged; change nothing

Exit codes: 0 ok, 1 failed, 2 bad job or options, 3 some hosts failed, 4 the job is running, 5 host unreachable.`;

const HOST_KEY_USAGE = `Usage: strata-agent archive host-key HOST [--port PORT]

Prints the SHA256 fingerprint of HOST's SSH host key (as ssh-keygen -l shows it), to pin in a job's
upload.hosts[].hostKeyFingerprint. Check it against the server before trusting it.`;

const logTo = (line: string) => process.stdout.write(line + "\n");
const warn = (p: string, err: Error) => process.stderr.write(`WARNING: "${p}": ${err.message}\n`);

export const archiveUploadCommand: CliCommand = {
  names: ["archive", "upload"],
  summary: "Upload today's archives of an archive job over SFTP, then purge the remote side",
  usage: UPLOAD_USAGE,
  async run(args) {
    const opts = { config: { type: "string" }, date: { type: "string" }, "dry-run": { type: "boolean" } } as const;
    const { values } = parseVerbArgs("archive upload", args, opts, UPLOAD_USAGE);
    const job = await loadJobFile(values.config as string | undefined, UPLOAD_USAGE);
    if (!job.upload) throw new AgentError("usage", `Job "${job.name}" has no "upload" section`);
    const upload = job.upload;
    const now = runClock(values.date as string | undefined);
    const dryRun = !!values["dry-run"];
    const go = () =>
      runUpload(upload, {
        repository: job.repository,
        prefix: job.prefix,
        now,
        ttlDays: job.ttlDays,
        strictPurge: job.strictPurge,
        dryRun,
        callbacks: { onLog: logTo, onItemError: warn },
      });
    const res = dryRun ? await go() : await withLock(lockPathOf(job), job.name, go, logTo);
    for (const h of res.hosts) {
      const sent = h.uploaded.filter((u) => !u.skipped).length;
      logTo(`Host "${h.host}" ${formatDay(now)}: ${sent} uploaded, ${h.uploaded.length - sent} already there, ${h.purged.length} purged${h.error ? `, failed: ${h.error.message}` : ""}`);
    }
    if (res.status === "partial") throw new AgentError("partial", `Upload of job "${job.name}" failed on some hosts`);
    return 0;
  },
};

export const archiveHostKeyCommand: CliCommand = {
  names: ["archive", "host-key"],
  summary: "Print an SSH host's key fingerprint, to pin it in a job's upload section",
  usage: HOST_KEY_USAGE,
  async run(args) {
    const { values, positionals } = parseVerbArgs("archive host-key", args, { port: { type: "string", short: "p" } }, HOST_KEY_USAGE);
    if (positionals.length !== 1) throw new AgentError("usage", `archive host-key needs HOST\n\n${HOST_KEY_USAGE}`);
    const port = values.port === undefined ? 22 : Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AgentError("usage", `Invalid port "${String(values.port)}"`);
    logTo(await fetchHostKeyFingerprint(positionals[0], port));
    return 0;
  },
};

/** The upload verbs, for the registry. */
export const uploadCommands: CliCommand[] = [archiveUploadCommand, archiveHostKeyCommand];
