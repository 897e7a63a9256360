// The agent daemon: enrols once, then heartbeats to the console and runs the control loop (jobs, schedules,
// commands, run reports: control-loop.ts) until stopped, backing off while the console is unreachable.
import os from "node:os";
import { AgentError } from "../errors";
import { AGENT_VERSION } from "../version";
import { startDataPlane, type DataPlane } from "../server";
import { ConsoleClient } from "./console-client";
import { sleep } from "./sleep";
import { runControlLoop, type ControlLoopOptions } from "./control-loop";
import { loadState, saveState, type AgentState } from "./state";
import { ensureAgentKey, loadAgentKey } from "../sources/ssh/agent-key";

export interface DaemonOptions {
  console: string;
  name: string;
  stateDir: string;
  enrolToken?: string;
  heartbeatSeconds: number;
  /** The data-plane server (signed reads of repositories for the console); its URL is reported. */
  dataPlane?: { listen: string; roots: string[]; publicUrl?: string };
  /** Where job repositories are written (the first root) and may be restored from. */
  repositoryRoots?: string[];
  /** Time zone of the schedules (IANA name; default the process's). */
  timeZone?: string;
  /** Runs at once (default 4). */
  maxConcurrentRuns?: number;
  /** Overrides of the control loop's clock and cadences (tests). */
  control?: Pick<ControlLoopOptions, "now" | "tickMs" | "commandPollMs" | "sendIntervalMs" | "sendBackoffMs" | "sendMaxBackoffMs">;
  signal: AbortSignal;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

/** Returns saved credentials, or enrols with the one-time token and saves them. */
async function ensureEnrolled(client: ConsoleClient, o: DaemonOptions, url?: string): Promise<AgentState> {
  const saved = await loadState(o.stateDir);
  const sshKey = await ensureAgentKey(o.stateDir); // made at first enrolment, or first start without one
  if (saved && saved.console === o.console) return saved;
  if (!o.enrolToken) throw new AgentError("usage", `This agent is not enrolled with "${o.console}": pass --enrol TOKEN (make one at /admin/agents)`);
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await client.enrol({ v: 1, enrolmentToken: o.enrolToken, name: o.name, version: AGENT_VERSION, hostname: os.hostname(), url, sshPublicKey: sshKey.publicKey });
      const state: AgentState = { v: 1, console: o.console, name: o.name, agentId: res.agentId, token: res.token, secret: res.secret };
      await saveState(o.stateDir, state);
      o.log("enrolled", { agentId: res.agentId, name: o.name });
      return state;
    } catch (err) {
      if (!(err instanceof AgentError) || err.kind !== "retryable" || o.signal.aborted) throw err;
      o.log("enrol.retry", { error: err.message });
      await sleep(Math.min(30_000, 1000 * 2 ** attempt), o.signal);
    }
  }
}

/** Runs until the signal aborts. */
export async function runDaemon(o: DaemonOptions): Promise<void> {
  const client = new ConsoleClient(o.console);
  let secret: string | null = null;
  let plane: DataPlane | undefined;
  if (o.dataPlane) {
    plane = await startDataPlane({ ...o.dataPlane, hosts: { stateDir: o.stateDir }, secret: () => secret, log: o.log });
    o.log("data-plane.listening", { url: plane.url, roots: o.dataPlane.roots });
  }
  try {
    const state = await ensureEnrolled(client, o, plane?.url);
    secret = state.secret;
    const roots = o.repositoryRoots ?? o.dataPlane?.roots ?? [];
    // A fatal heartbeat refusal (token revoked) stops the control loop too, after it aborted its runs.
    const stop = new AbortController();
    const signal = AbortSignal.any([o.signal, stop.signal]);
    const control = runControlLoop({ client, token: state.token, stateDir: o.stateDir, repositoryRoots: roots, timeZone: o.timeZone, maxConcurrentRuns: o.maxConcurrentRuns, signal, log: o.log, ...o.control });
    try {
      await heartbeatLoop(client, o, state, plane?.url);
    } finally {
      stop.abort();
      await control;
    }
  } finally {
    await plane?.close();
  }
}

async function heartbeatLoop(client: ConsoleClient, o: DaemonOptions, state: AgentState, url?: string): Promise<void> {
  let failures = 0;
  while (!o.signal.aborted) {
    try {
      await client.heartbeat(state.token, { v: 1, version: AGENT_VERSION, hostname: os.hostname(), url, sshPublicKey: (await loadAgentKey(o.stateDir).catch(() => null))?.publicKey });
      if (failures > 0) o.log("console.back", { after: failures });
      failures = 0;
    } catch (err) {
      failures++;
      if (err instanceof AgentError && err.kind === "fatal") throw err;
      o.log("heartbeat.failed", { error: (err as Error).message, failures });
    }
    const delay = failures === 0 ? o.heartbeatSeconds * 1000 : Math.min(60_000, 1000 * 2 ** Math.min(failures, 6));
    await sleep(delay, o.signal);
  }
}
