// Registry of every strata-agent verb. Each verb lives in its own module beside this one.
import type { CliCommand } from "../command";
import { versionCommand } from "./version";
import { archiveCommands } from "./archive";
import { backupCommand } from "./backup";
import { regressCommand } from "./regress";
import { runCommand } from "./run";
import { restoreCommand } from "./restore";
import { listCommands } from "./list";
import { removeCommand } from "./remove";
import { verifyCommand } from "./verify";
import { uploadCommands } from "./upload";

/** All verbs, in the order `--help` lists them. */
export const commands: CliCommand[] = [backupCommand, regressCommand, runCommand, versionCommand, ...archiveCommands];
commands.push(restoreCommand, ...listCommands, removeCommand, verifyCommand);
commands.push(...uploadCommands);
