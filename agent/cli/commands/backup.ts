// `strata-agent backup [options] SOURCE REPO`: one mirror session from a local directory into a repository.
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { backupSession, type SelectionRule } from "../../engines/mirror/index";
import { openLocalSource } from "../../sources/local";

const USAGE = `Usage: strata-agent backup [options] SOURCE REPO

Backs SOURCE up into the rdiff-backup repository REPO (created if missing).

Options:
  --include GLOB / --exclude GLOB   rdiff-backup selection, first match wins (repeatable, order matters)
  --exclude-fifos, --exclude-sockets, --exclude-other-filesystems
  --change-set FILE                 also write the session's change set as NDJSON
  --current-time SECS               session time (epoch seconds) instead of now
  --force                           write into a non-empty directory that is not a repository`;

/** Parsed arguments of the backup verb. */
export interface BackupArgs {
  source: string;
  repo: string;
  selection: SelectionRule[];
  changeSet?: string;
  currentTime?: number;
  force: boolean;
}

/** Parses backup's argv (selection options keep their order). */
export function parseBackupArgs(args: string[]): BackupArgs {
  const selection: SelectionRule[] = [];
  const positional: string[] = [];
  let changeSet: string | undefined;
  let currentTime: number | undefined;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      if (i + 1 >= args.length) throw new AgentError("usage", `Option "${a}" needs a value`);
      return args[++i];
    };
    if (a === "--include" || a === "--exclude") selection.push({ kind: a === "--include" ? "include" : "exclude", glob: value() });
    else if (a === "--exclude-fifos" || a === "--exclude-sockets" || a === "--exclude-other-filesystems") selection.push({ kind: a.slice(2) as "exclude-fifos" });
    else if (a === "--change-set") changeSet = value();
    else if (a === "--current-time") {
      const v = value();
      if (!/^\d+$/.test(v)) throw new AgentError("usage", `Option "--current-time" needs epoch seconds, got "${v}"`);
      currentTime = Number(v);
    } else if (a === "--force") force = true;
    else if (a.startsWith("--")) throw new AgentError("usage", `Unknown option "${a}" for backup`);
    else positional.push(a);
  }
  if (positional.length !== 2) throw new AgentError("usage", `backup needs SOURCE and REPO\n\n${USAGE}`);
  return { source: positional[0], repo: positional[1], selection, changeSet, currentTime, force };
}

export const backupCommand: CliCommand = {
  names: ["backup"],
  summary: "Back up a directory into a mirror (rdiff-backup) repository",
  usage: USAGE,
  async run(args) {
    const a = parseBackupArgs(args);
    const source = await openLocalSource(a.source);
    const result = await backupSession({
      source,
      repo: a.repo,
      selection: a.selection,
      currentTime: a.currentTime,
      force: a.force,
      changeSetFile: a.changeSet,
      callbacks: {
        onLog: (line) => process.stderr.write(line + "\n"),
        onItemError: (p, err) => process.stderr.write(`WARNING: cannot back up "${p}": ${err.message}\n`),
      },
    });
    const s = result.stats;
    process.stdout.write(
      `Session ${result.time}: ${s.sourceFiles} files, ${s.newFiles} new, ${s.changedFiles} changed, ${s.deletedFiles} deleted, ` +
        `${s.incrementBytes} increment bytes, ${s.errors} errors\n`,
    );
    if (result.status === "partial") throw new AgentError("partial", `Backup of "${a.source}" finished with ${s.errors} unreadable paths (see error_log)`);
    return 0;
  },
};
