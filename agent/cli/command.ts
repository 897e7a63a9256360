// The shape of one CLI verb: how `strata-agent <verb> ...` finds and runs its handler.

/** One verb (or verb pair such as "list increments") of the strata-agent CLI. */
export interface CliCommand {
  /** Words that select the command, e.g. ["backup"] or ["list", "increments"]. */
  names: string[];
  /** One line for `strata-agent --help`. */
  summary: string;
  /** Full usage text for `strata-agent <verb> --help`. */
  usage: string;
  /** Runs the verb with the remaining arguments; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}
