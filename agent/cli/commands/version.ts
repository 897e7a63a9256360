// `strata-agent version`: prints the agent version .
import type { CliCommand } from "../command";
import { AGENT_VERSION } from "../../version";

export const versionCommand: CliCommand = {
  names: ["version"],
  summary: "Print the agent version",
  usage: "Usage: strata-agent version",
  async run() {
    process.stdout.write(`strata-agent ${AGENT_VERSION}\n`);
    return 0;
  },
};
