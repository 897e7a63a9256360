// Pre- and post-commands of a job: `/bin/sh -c COMMAND` on the agent, with the run described in STRATA_*
// variables, every output line sent to the run's log; cancel kills the command's process group.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { childEnv } from "../engines/dump/runner";

/** How a hook ended. */
export interface HookResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `command` through /bin/sh; resolves when it exits (never rejects on a non-zero exit). */
export async function runHookCommand(
  command: string,
  env: Record<string, string>,
  opts: { onLine: (line: string) => void; signal?: AbortSignal; cwd?: string },
): Promise<HookResult> {
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

/** "exit code 3" / "killed by SIGTERM". */
export function describeHookExit(r: HookResult): string {
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
}
