// Test helpers for the dump engines: a temp repository, a runner that records what it was asked to run,
// and a check that a system tool is installed (tests fail, never skip, when one is missing).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EngineCallbacks } from "../types";
import type { DumpContext } from "./dump-step";
import { LocalRunner, type RunningCommand, type SecretFile } from "./runner";

/** A LocalRunner that keeps every argv, env addition and secret file path it handled. */
export class RecordingRunner extends LocalRunner {
  readonly started: { argv: string[]; env?: Record<string, string>; cmd: RunningCommand }[] = [];
  readonly secrets: string[] = [];
  readonly secretContents: string[] = [];

  override start(argv: string[], opts: { env?: Record<string, string> } = {}): RunningCommand {
    const cmd = super.start(argv, opts);
    this.started.push({ argv, env: opts.env, cmd });
    return cmd;
  }

  override async writeSecretFile(name: string, content: string): Promise<SecretFile> {
    const f = await super.writeSecretFile(name, content);
    this.secrets.push(f.path);
    this.secretContents.push(content);
    return f;
  }
}

/** Throws a clear error when a required system tool is missing. */
export function requireTool(tool: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "pipe" });
  } catch {
    throw new Error(`This test needs "${tool}" installed (Debian package providing it)`);
  }
}

/** A fresh temp repository and a dump context over it; `cleanup()` removes it. */
export async function makeDumpContext(now = new Date(2027, 2, 1, 3, 0, 0)) {
  const repository = await mkdtemp(path.join(os.tmpdir(), "strata-dump-test-"));
  const runner = new RecordingRunner();
  const log: string[] = [];
  const itemErrors: { path: string; error: Error }[] = [];
  const callbacks: EngineCallbacks = {
    onLog: (l) => log.push(l),
    onItemError: (p, error) => itemErrors.push({ path: p, error }),
  };
  const ctx: DumpContext = { repository, prefix: "bmhost", runner, callbacks, now, permissions: {}, purgeDuplicates: false };
  return {
    ctx,
    runner,
    log,
    itemErrors,
    repository,
    list: async () => (await readdir(repository)).sort(),
    secretsGone: () => runner.secrets.every((s) => !existsSync(s) && !existsSync(path.dirname(s))),
    cleanup: () => rm(repository, { recursive: true, force: true }),
  };
}

/** Runs a command and returns stdout (for test setup and checks). */
export function sh(cmd: string, input?: string | Buffer): string {
  return execFileSync("sh", ["-c", cmd], { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}
