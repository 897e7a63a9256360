// `strata-agent regress REPO`: returns a repository whose last session failed to its last complete session.
import path from "node:path";
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { regressRepository } from "../../engines/mirror/index";
import { acquireLock } from "../../engines/mirror/lock";
import { timeToString } from "@/lib/timespec";

export const regressCommand: CliCommand = {
  names: ["regress"],
  summary: "Undo a failed or interrupted backup session",
  usage: "Usage: strata-agent regress REPO\n\nReturns REPO to its last complete session if the last one failed (two current_mirror markers).",
  async run(args) {
    if (args.length !== 1 || args[0].startsWith("--")) throw new AgentError("usage", "regress needs exactly one REPO");
    const repo = path.resolve(args[0]);
    const lock = await acquireLock(repo, path.join(repo, "rdiff-backup-data")).catch((err: unknown) => {
      if (err instanceof AgentError) throw err;
      throw new AgentError("fatal", `Cannot regress "${args[0]}": not an rdiff-backup repository`, { cause: err });
    });
    try {
      const r = await regressRepository(repo);
      if (!r.regressed) {
        process.stdout.write(`Repository "${args[0]}" is consistent; nothing to regress\n`);
        return 0;
      }
      process.stdout.write(`Regressed "${args[0]}" to session ${timeToString(r.time!)}\n`);
      if (r.problems.length) throw new AgentError("partial", `Regress could not rebuild ${r.problems.length} paths: ${r.problems.join(", ")}`);
      return 0;
    } finally {
      await lock.release();
    }
  },
};
