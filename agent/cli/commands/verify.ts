// `strata-agent verify REPO [--at TIME]`: every regular file's SHA1 at TIME against the metadata.
import { AgentError } from "../../errors";
import type { CliCommand } from "../command";
import { verifyAt } from "../../engines/mirror/read/index";
import { openRepoArg, parseReadArgs, say, timeArg } from "./restore-args";

const USAGE = `Usage: strata-agent verify REPO [--at TIME] [--json]

Rebuilds every regular file as of TIME (default now) and compares its SHA1 with the one recorded in the
metadata. Mismatches and unreadable increments are listed and the exit code is non-zero.
  --json   print {files, verified, problems[]} as JSON`;

export const verifyCommand: CliCommand = {
  names: ["verify"],
  summary: "Check the SHA1 of every file of a mirror repository at a time",
  usage: USAGE,
  async run(args) {
    const { values, positionals, now } = parseReadArgs("verify", USAGE, args, { at: { type: "string" }, json: { type: "boolean" } }, { min: 1, max: 1 });
    const { repo } = await openRepoArg(positionals[0]);
    const at = timeArg(repo, values.at, "--at", now, "now");
    const res = await verifyAt(repo, at);
    const bad = res.problems.filter((p) => p.kind !== "no-hash");
    if (values.json) say(JSON.stringify(res));
    else {
      for (const p of res.problems) say(`${p.kind === "no-hash" ? "WARNING" : "ERROR"}: ${p.message}`);
      if (!bad.length) say(`Every file verified successfully (${res.verified} files).`);
    }
    if (bad.length) throw new AgentError("fatal", `Verification found ${bad.length} potentially corrupted files`);
    return 0;
  },
};
