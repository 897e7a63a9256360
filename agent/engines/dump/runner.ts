// Where dump commands run: the CommandRunner interface and its local child-process implementation.
// SshRunner (ssh-runner.ts) implements the same interface over an SSH exec channel for remote hosts.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";

/** How a started command ended; `stderr` holds its last few KiB of error output. */
export interface CommandExit {
  code: number | null;
  signal: string | null;
  stderr: string;
}

/** A command started by a runner: its standard output, its end, and a way to stop it. */
export interface RunningCommand {
  stdout: Readable;
  done: Promise<CommandExit>;
  kill(): void;
}

/** A 0600 file on the runner's host, for a credential; `remove()` is idempotent. */
export interface SecretFile {
  path: string;
  remove(): Promise<void>;
}

/** Runs argv arrays (never through a shell unless argv says so) on one host. */
export interface CommandRunner {
  /** Host name shown in messages ("localhost" for the local runner). */
  readonly host: string;
  /** Starts a command; `env` is added to the child's environment only. */
  start(argv: string[], opts?: { env?: Record<string, string> }): RunningCommand;
  /** Writes `content` to a fresh 0600 file inside a fresh 0700 directory on the runner's host. */
  writeSecretFile(name: string, content: string): Promise<SecretFile>;
  /** True when `command` is found on the host's PATH. */
  hasCommand(command: string): Promise<boolean>;
}

const STDERR_KEEP = 8192;

// Inherited credentials would override the per-dump files (libpq prefers PGPASSWORD to PGPASSFILE).
const NOT_INHERITED = ["MYSQL_PWD", "PGPASSWORD", "PGPASSFILE"];

/** The agent's environment minus inherited database credentials, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of NOT_INHERITED) delete env[k];
  return { ...env, ...extra };
}

/** Runs commands as local child processes. */
export class LocalRunner implements CommandRunner {
  readonly host = "localhost";

  start(argv: string[], opts: { env?: Record<string, string> } = {}): RunningCommand {
    if (argv.length === 0) throw new Error("Cannot start a command: the argument list is empty");
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: childEnv(opts.env),
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    const done = new Promise<CommandExit>((resolve) => {
      child.on("error", (err) => resolve({ code: null, signal: null, stderr: err.message }));
      child.on("close", (code, signal) => resolve({ code, signal, stderr }));
    });
    // Node discards a child's unread output when it exits before anyone listens (flushStdio), and
    // consumers attach after an await; a PassThrough keeps the bytes, with backpressure, until then.
    const stdout = new PassThrough({ highWaterMark: 1 << 20 });
    child.stdout.pipe(stdout);
    return {
      stdout,
      done,
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        // Whoever read stdout may be gone (a destroyed pipeline): drain it, or "close" never comes.
        child.stdout.unpipe(stdout);
        child.stdout.resume();
      },
    };
  }

  async writeSecretFile(name: string, content: string): Promise<SecretFile> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "strata-secret-"));
    const file = path.join(dir, name);
    let removed = false;
    const remove = async () => {
      if (removed) return;
      removed = true;
      await rm(dir, { recursive: true, force: true });
    };
    try {
      const fh = await open(file, "wx", 0o600);
      try {
        await fh.writeFile(content, "utf8");
      } finally {
        await fh.close();
      }
    } catch (err) {
      await remove();
      throw err;
    }
    return { path: file, remove };
  }

  async hasCommand(command: string): Promise<boolean> {
    const dirs = (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":");
    for (const dir of dirs) {
      const candidate = path.join(dir || ".", command);
      try {
        await access(candidate, constants.X_OK);
        return true;
      } catch {
        // not in this directory
      }
    }
    return false;
  }
}

/** One line describing how a command ended, for error messages. */
export function describeExit(exit: CommandExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === null ? "could not start" : `exited with code ${exit.code}`;
  const detail = exit.stderr.trim().split("\n").filter(Boolean).slice(-3).join(" / ");
  return detail ? `${how}: ${detail}` : how;
}
