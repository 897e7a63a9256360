// Parses argv into a verb and dispatches to its command module; renders --help.
import { AgentError } from "../errors";
import { commands, type LazyCommand } from "./commands/index";

/** Text of `strata-agent --help`. */
export function helpText(): string {
  const lines = commands.map((c) => `  ${c.names.join(" ").padEnd(26)} ${c.summary}`);
  return [
    "Usage: strata-agent <verb> [options]",
    "",
    "Verbs:",
    ...lines,
    "",
    "Exit codes: 0 ok, 1 failed, 2 usage error, 3 partial (some files skipped), 4 locked, 5 retry later, 130 cancelled.",
    "Run `strata-agent <verb> --help` for a verb's options.",
  ].join("\n");
}

function findCommand(argv: string[]): { cmd: LazyCommand; rest: string[] } | undefined {
  let best: { cmd: LazyCommand; rest: string[] } | undefined;
  for (const cmd of commands) {
    const n = cmd.names.length;
    if (argv.length >= n && cmd.names.every((w, i) => argv[i] === w)) {
      if (!best || n > best.cmd.names.length) best = { cmd, rest: argv.slice(n) };
    }
  }
  return best;
}

/** Runs the CLI with argv (without node and script) and resolves to the exit code. */
export async function runCli(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + "\n")): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    out(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) throw new AgentError("usage", `Unknown verb "${argv.join(" ")}"; run strata-agent --help`);
  const cmd = await found.cmd.load();
  if (found.rest.includes("--help") || found.rest.includes("-h")) {
    out(cmd.usage);
    return 0;
  }
  return cmd.run(found.rest);
}
