// Pre- and post-commands of a job, with the run described in STRATA_* variables and every output line sent
// to the run's log. Local hosts: `/bin/sh -c COMMAND` on the agent; cancel kills the command's process group.
// SSH hosts: `sh -c COMMAND` on the host over an exec channel of the agent's SSH connection, the variables
// given as a shell-quoted `env NAME=VALUE …` prefix (sshd usually refuses env requests), stderr merged into stdout.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { childEnv, type CommandRunner } from "../engines/dump/runner";
import { SshRunner } from "../engines/dump/ssh-runner";
import { connectToHost } from "../sources/open";
import { AgentError } from "../errors";
import type { BackupTask } from "./types";

/** How a hook ended. */
export interface HookResult {
  code: number | null;
  signal: string | null;
}

interface HookOptions {
  onLine: (line: string) => void;
  signal?: AbortSignal;
  cwd?: string;
}

/** Runs `command` through /bin/sh; resolves when it exits (never rejects on a non-zero exit). */
export async function runHookCommand(command: string, env: Record<string, string>, opts: HookOptions): Promise<HookResult> {
  const child = spawn("/bin/sh", ["-c", command], { env: childEnv(env), stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: opts.cwd });
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  opts.signal?.addEventListener("abort", kill, { once: true });
  const lines = [child.stdout, child.stderr].map((s) => {
    const rl = createInterface({ input: s, crlfDelay: Infinity });
    rl.on("line", opts.onLine);
    return new Promise<void>((r) => rl.once("close", r));
  });
  try {
    const exit = await new Promise<HookResult>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => resolve({ code, signal }));
    });
    await Promise.all(lines);
    return exit;
  } finally {
    opts.signal?.removeEventListener("abort", kill);
  }
}

/**
 * The shell around a remote hook (the hook is `$1`): stderr merged into stdout. The SshRunner runs it with stdin
 * /dev/null inside its watcher (REMOTE_WATCHER), which ends the hook's processes on the host when it is cancelled.
 */
const REMOTE_HOOK = 'exec 2>&1 </dev/null; sh -c "$1"';

/**
 * Runs `command` with `sh -c` through `runner` (an SshRunner for a remote host), stderr merged into the lines.
 * Resolves on any exit of the command; rejects when it could not be started at all (channel refused).
 */
export async function runHookCommandWith(runner: CommandRunner, command: string, env: Record<string, string>, opts: HookOptions): Promise<HookResult> {
  const cmd = runner.start(["sh", "-c", REMOTE_HOOK, "strata-hook", command], { env });
  const kill = () => cmd.kill();
  opts.signal?.addEventListener("abort", kill, { once: true });
  try {
    const rl = createInterface({ input: cmd.stdout, crlfDelay: Infinity });
    rl.on("line", opts.onLine);
    const closed = new Promise<void>((r) => rl.once("close", r));
    const exit = await cmd.done;
    await closed;
    if (exit.code === null && exit.signal === null && !opts.signal?.aborted) {
      throw new AgentError("fatal", `Cannot run the command on "${runner.host}": ${exit.stderr.trim() || "the channel closed without an exit status"}`);
    }
    return { code: exit.code, signal: exit.signal };
  } finally {
    opts.signal?.removeEventListener("abort", kill);
  }
}

/** Runs a job's hook where the job's host is: on the agent for local hosts, over SSH on the host otherwise. */
export async function runTaskHook(task: BackupTask, command: string, env: Record<string, string>, opts: HookOptions): Promise<HookResult> {
  if (task.host.local) return runHookCommand(command, env, opts);
  const { client } = await connectToHost(task.host, { stateDir: task.stateDir, checkHostKey: task.checkHostKey, signal: opts.signal });
  try {
    return await runHookCommandWith(new SshRunner(client, task.host.name), command, env, opts);
  } finally {
    client.end();
  }
}

/** "exit code 3" / "killed by SIGTERM". */
export function describeHookExit(r: HookResult): string {
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
}
