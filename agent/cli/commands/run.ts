// `strata-agent run`: the long-running agent daemon (enrol, heartbeat, jobs, schedules, runs and their reports).
import { parseArgs } from "node:util";
import os from "node:os";
import type { CliCommand } from "../command";
import { AgentError } from "../../errors";
import { agentEnv } from "../../env";
import { runDaemon } from "../../daemon/run-daemon";

export const runCommand: CliCommand = {
  names: ["run"],
  summary: "Run the agent daemon: enrol with a console and keep working for it",
  usage: [
    "Usage: strata-agent run --console URL [--enrol TOKEN] [--name NAME] [--state-dir DIR]",
    "",
    "  --console URL     the console, e.g. https://backup.example.org (env STRATA_AGENT_CONSOLE)",
    "  --enrol TOKEN     one-time enrolment token from /admin/agents, needed the first time (env STRATA_AGENT_ENROL_TOKEN)",
    "  --name NAME       this agent's name (default: the machine's host name) (env STRATA_AGENT_NAME)",
    "  --state-dir DIR   credentials, the last job list and unsent run reports (default ./data/agent) (env STRATA_AGENT_STATE_DIR)",
    "",
    "  The data plane (signed reads for the console) listens on STRATA_AGENT_LISTEN (default 127.0.0.1:0)",
    "  and serves repositories under STRATA_AGENT_REPOSITORIES (\":\"-separated, default ./data/repositories).",
    "  Job repositories are written under the first of them. Schedules follow STRATA_AGENT_TIME_ZONE (default: the",
    "  machine's zone); at most STRATA_AGENT_MAX_RUNS runs (default 4) go at once, the others wait queued.",
    "  SIGTERM/SIGINT abort running backups cleanly (reported cancelled) and stop the agent.",
  ].join("\n"),
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { console: { type: "string" }, enrol: { type: "string" }, name: { type: "string" }, "state-dir": { type: "string" } } }));
    } catch (err) {
      throw new AgentError("usage", (err as Error).message);
    }
    const env = agentEnv();
    const consoleUrl = values.console ?? env.STRATA_AGENT_CONSOLE;
    if (!consoleUrl) throw new AgentError("usage", "Missing --console URL");
    const ac = new AbortController();
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => ac.abort());
    const log = (event: string, fields: Record<string, unknown> = {}) =>
      process.stderr.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + "\n");
    log("agent.start", { console: consoleUrl });
    await runDaemon({
      console: consoleUrl,
      name: values.name ?? env.STRATA_AGENT_NAME ?? os.hostname().toLowerCase().replace(/[^a-z0-9._-]/g, "-"),
      stateDir: values["state-dir"] ?? env.STRATA_AGENT_STATE_DIR,
      enrolToken: values.enrol ?? env.STRATA_AGENT_ENROL_TOKEN,
      heartbeatSeconds: env.STRATA_AGENT_HEARTBEAT_SECONDS,
      repositoryRoots: env.STRATA_AGENT_REPOSITORIES.split(":").filter(Boolean),
      timeZone: env.STRATA_AGENT_TIME_ZONE,
      maxConcurrentRuns: env.STRATA_AGENT_MAX_RUNS,
      dataPlane: {
        listen: env.STRATA_AGENT_LISTEN,
        roots: env.STRATA_AGENT_REPOSITORIES.split(":").filter(Boolean),
        publicUrl: env.STRATA_AGENT_PUBLIC_URL,
      },
      signal: ac.signal,
      log,
    });
    log("agent.stop");
    return 0;
  },
};
