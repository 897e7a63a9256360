// `strata-agent restore REPO[/PATH] TARGET --at TIME [--force]`: a file or tree as it was at TIME.
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { restoreToDirectory } from "../../engines/mirror/read/index";
import { openRepoArg, parseReadArgs, timeArg } from "./restore-args";

const USAGE = `Usage: strata-agent restore REPO[/PATH] TARGET [--at TIME] [--force]

Restores PATH (default: the whole tree) of the rdiff-backup repository REPO as it was at TIME into TARGET.
TIME: now (default), epoch seconds, 2026-11-01, 2026-11-01T12:00:00+01:00, intervals like 3D or 5m3s
(that long ago), NB (N sessions back). A time between sessions restores the older one.

Options:
  --at TIME            the time to restore (default now = the current mirror)
  --force              replace TARGET when it exists
  --preserve-numerical-ids
                       as root: use the recorded uid/gid even when the recorded names exist here
  --current-time SECS  what "now" means for interval specs`;

export const restoreCommand: CliCommand = {
  names: ["restore"],
  summary: "Restore a file or directory from a mirror repository as of a time",
  usage: USAGE,
  async run(args) {
    const { values, positionals, now } = parseReadArgs("restore", USAGE, args, { at: { type: "string" }, force: { type: "boolean" }, "preserve-numerical-ids": { type: "boolean" } }, { min: 2, max: 2 });
    const { repo, sub } = await openRepoArg(positionals[0]);
    const at = timeArg(repo, values.at, "--at", now, "now");
    const res = await restoreToDirectory(repo, sub, at, positionals[1], {
      force: values.force === true,
      preserveNumericalIds: values["preserve-numerical-ids"] === true,
      callbacks: { onItemError: (p, err) => process.stderr.write(`ERROR: ${err.message}\n`) },
    });
    for (const w of res.warnings) process.stderr.write(`WARNING: ${w}\n`);
    if (res.status === "partial") {
      throw new AgentError("partial", `Restore of "${positionals[0]}" finished with ${res.errors.length} file(s) not restored`);
    }
    return 0;
  },
};
