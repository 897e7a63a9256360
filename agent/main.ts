// Entry of the strata-agent process: wiring only, and the one place errors become exit codes.
import { runCli } from "./cli/index";
import { AgentError, exitCodeFor } from "./errors";

async function main(): Promise<void> {
  try {
    process.exitCode = await runCli(process.argv.slice(2));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`strata-agent: ${msg}\n`);
    if (!(err instanceof AgentError) && process.env.STRATA_DEBUG) console.error(err);
    process.exitCode = exitCodeFor(err);
  }
}

void main();
