// Test-only process entry: runs the backup / regress verbs without loading every other verb (fast child
// processes for the kill tests); errors become exit codes exactly as in agent/main.ts.
import { backupCommand } from "@/agent/cli/commands/backup";
import { regressCommand } from "@/agent/cli/commands/regress";
import { exitCodeFor } from "@/agent/errors";

const [verb, ...rest] = process.argv.slice(2);
const cmd = verb === "backup" ? backupCommand : verb === "regress" ? regressCommand : undefined;
try {
  if (!cmd) throw new Error(`Unknown verb "${verb}"`);
  process.exitCode = await cmd.run(rest);
} catch (err) {
  process.stderr.write(`strata-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = exitCodeFor(err);
}
