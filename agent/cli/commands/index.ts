// Registry of every strata-agent verb. Each verb lives in its own module beside this one and is loaded only
// when it runs, so `strata-agent <verb>` does not pay for every engine's imports at start-up.
import type { CliCommand } from "../command";

/** A verb known by name and summary; its module is imported on first use. */
export interface LazyCommand {
  names: string[];
  summary: string;
  load(): Promise<CliCommand>;
}

function lazy(names: string, summary: string, load: () => Promise<CliCommand | CliCommand[]>): LazyCommand {
  const words = names.split(" ");
  return {
    names: words,
    summary,
    async load() {
      const loaded = await load();
      const found = (Array.isArray(loaded) ? loaded : [loaded]).find((c) => c.names.join(" ") === names);
      if (!found) throw new Error(`Verb "${names}" is registered but its module does not define it`);
      return found;
    },
  };
}

/** All verbs, in the order `--help` lists them. */
export const commands: LazyCommand[] = [
  lazy("backup", "Back up a directory into a mirror (rdiff-backup) repository", async () => (await import("./backup")).backupCommand),
  lazy("restore", "Restore a file or directory from a mirror repository as of a time", async () => (await import("./restore")).restoreCommand),
  lazy("list increments", "List the increments (sessions) of a mirror repository", async () => (await import("./list")).listCommands),
  lazy("list increment-sizes", "List the size of each increment and the cumulative size", async () => (await import("./list")).listCommands),
  lazy("list files", "List the paths of a mirror repository at a time", async () => (await import("./list")).listCommands),
  lazy("list changed", "List paths changed since a time (new, changed, deleted)", async () => (await import("./list")).listCommands),
  lazy("remove increments", "Remove increments older than a time", async () => (await import("./remove")).removeCommand),
  lazy("verify", "Check the SHA1 of every file of a mirror repository at a time", async () => (await import("./verify")).verifyCommand),
  lazy("regress", "Undo a failed or interrupted backup session", async () => (await import("./regress")).regressCommand),
  lazy("archive run", "Run an archive job (tarballs, incrementals, dumps, purge, upload)", async () => (await import("./archive")).archiveCommands),
  lazy("archive purge", "Remove expired archives of an archive job (--dry-run lists them)", async () => (await import("./archive")).archiveCommands),
  lazy("archive extract", "Write one member of an archive (random access through its index)", async () => (await import("./archive")).archiveCommands),
  lazy("archive list", "List the members of an archive", async () => (await import("./archive")).archiveCommands),
  lazy("archive upload", "Upload today's archives of an archive job over SFTP, then purge the remote side", async () => (await import("./upload")).uploadCommands),
  lazy("archive host-key", "Print an SSH host's key fingerprint, to pin it in a job's upload section", async () => (await import("./upload")).uploadCommands),
  lazy("backup-manager", "Run the archive methods of a backup-manager configuration file (read, not executed)", async () => (await import("./backup-manager")).backupManagerCommands),
  lazy("backup-manager import", "Print the Strata archive job equivalent to a backup-manager configuration file", async () => (await import("./backup-manager")).backupManagerCommands),
  lazy("run", "Run the agent daemon: enrol with a console and keep working for it", async () => (await import("./run")).runCommand),
  lazy("version", "Print the agent version", async () => (await import("./version")).versionCommand),
];
