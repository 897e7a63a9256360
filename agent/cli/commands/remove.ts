// `strata-agent remove increments --older-than TIME REPO [--force] [--dry-run]`: rdiff-backup's retention.
import type { CliCommand } from "../command";
import { removeIncrementsOlderThan } from "../../engines/mirror/read/index";
import { asctime } from "../../engines/mirror/format/statistics";
import { openRepoArg, parseReadArgs, say, timeArg } from "./restore-args";

const USAGE = `Usage: strata-agent remove increments --older-than TIME REPO [--force] [--dry-run] [--json]

Deletes the increments (and their metadata, statistics, logs) of every session older than TIME. The
current mirror is never touched. Like rdiff-backup, the newest session older than TIME goes too, so a
time between two sessions can no longer be restored.
  --force     needed when more than one session would go
  --dry-run   only list what would go
  --json      print {times, paths} as JSON`;

export const removeCommand: CliCommand = {
  names: ["remove", "increments"],
  summary: "Remove increments older than a time",
  usage: USAGE,
  async run(args) {
    const opts = { "older-than": { type: "string" }, force: { type: "boolean" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } } as const;
    const { values, positionals, now } = parseReadArgs("remove increments", USAGE, args, opts, { min: 1, max: 1 });
    const { repo } = await openRepoArg(positionals[0]);
    const olderThan = timeArg(repo, values["older-than"], "--older-than", now);
    const plan = await removeIncrementsOlderThan(repo, olderThan, { force: values.force === true, dryRun: values["dry-run"] === true });
    if (values.json) {
      say(JSON.stringify({ dryRun: values["dry-run"] === true, times: plan.times, paths: plan.paths }));
      return 0;
    }
    if (!plan.times.length) {
      say(`No increments older than ${asctime(olderThan)} found, exiting.`);
      return 0;
    }
    const when = plan.times.map(asctime).join("\n");
    const verb = values["dry-run"] ? "Would delete" : "Deleting";
    say(plan.times.length > 1 ? `${verb} increments at dates/times:\n${when}` : `${verb} increment at date/time: ${when}`);
    if (values["dry-run"]) for (const p of plan.paths) say(`  ${p}`);
    return 0;
  },
};
