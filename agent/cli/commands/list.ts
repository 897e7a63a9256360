// `strata-agent list increments|increment-sizes|files|changed`: rdiff-backup's listings, same text, plus --json.
import type { CliCommand } from "../command";
import {
  changedSince, filesAt, listIncrements, listIncrementSizes, printablePath, renderIncrements, renderIncrementSizes,
  toChangeSetEntry,
} from "../../engines/mirror/read/index";
import { openRepoArg, parseReadArgs, say, timeArg } from "./restore-args";

const INC_USAGE = `Usage: strata-agent list increments REPO[/PATH] [--json]

Lists the increments (session times) of REPO, or of one PATH in it, and the current mirror time.
  --json   one JSON array of {time, type, base}`;

const SIZES_USAGE = `Usage: strata-agent list increment-sizes REPO [--json]

Bytes each increment takes, and the cumulative size (mirror + every newer increment).
  --json   one JSON array of {time, size, totalSize}`;

const FILES_USAGE = `Usage: strata-agent list files REPO[/PATH] [PATH] [--at TIME] [--json]

Paths that existed at TIME (default now), "." for the repository root.
  --json   one JSON object per line (change-set entry form: path, type, size, mtime, mode, uid, gid, sha1)`;

const CHANGED_USAGE = `Usage: strata-agent list changed REPO[/PATH] [PATH] --since TIME [--json]

Paths that are new, changed or deleted in the current mirror compared with TIME.
  --json   one JSON object per line: {change, path, ...}`;

const json = { json: { type: "boolean" } } as const;

export const listIncrementsCommand: CliCommand = {
  names: ["list", "increments"],
  summary: "List the increments (sessions) of a mirror repository",
  usage: INC_USAGE,
  async run(args) {
    const { values, positionals } = parseReadArgs("list increments", INC_USAGE, args, json, { min: 1, max: 1 });
    const { repo, sub } = await openRepoArg(positionals[0]);
    const incs = await listIncrements(repo, sub);
    say(values.json ? JSON.stringify(incs) : renderIncrements(incs));
    return 0;
  },
};

export const listIncrementSizesCommand: CliCommand = {
  names: ["list", "increment-sizes"],
  summary: "List the size of each increment and the cumulative size",
  usage: SIZES_USAGE,
  async run(args) {
    const { values, positionals } = parseReadArgs("list increment-sizes", SIZES_USAGE, args, json, { min: 1, max: 1 });
    const { repo } = await openRepoArg(positionals[0]);
    const rows = await listIncrementSizes(repo);
    say(values.json ? JSON.stringify(rows) : renderIncrementSizes(rows));
    return 0;
  },
};

export const listFilesCommand: CliCommand = {
  names: ["list", "files"],
  summary: "List the paths of a mirror repository at a time",
  usage: FILES_USAGE,
  async run(args) {
    const { values, positionals, now } = parseReadArgs("list files", FILES_USAGE, args, { ...json, at: { type: "string" } }, { min: 1, max: 2 });
    const { repo, sub } = await openRepoArg(positionals[0], positionals[1]);
    const at = timeArg(repo, values.at, "--at", now, "now");
    for await (const r of filesAt(repo, sub, at)) {
      say(values.json ? JSON.stringify(toChangeSetEntry("new", r)) : printablePath(r.path));
    }
    return 0;
  },
};

export const listChangedCommand: CliCommand = {
  names: ["list", "changed"],
  summary: "List paths changed since a time (new, changed, deleted)",
  usage: CHANGED_USAGE,
  async run(args) {
    const { values, positionals, now } = parseReadArgs("list changed", CHANGED_USAGE, args, { ...json, since: { type: "string" } }, { min: 1, max: 2 });
    const { repo, sub } = await openRepoArg(positionals[0], positionals[1]);
    const since = timeArg(repo, values.since, "--since", now);
    for await (const c of changedSince(repo, sub, since)) {
      say(values.json ? JSON.stringify(toChangeSetEntry(c.change, c.record)) : `${c.change.padEnd(7)} ${printablePath(c.record.path)}`);
    }
    return 0;
  },
};

/** Every list verb, for the registry. */
export const listCommands: CliCommand[] = [listIncrementsCommand, listIncrementSizesCommand, listFilesCommand, listChangedCommand];
