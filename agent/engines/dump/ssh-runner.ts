// A CommandRunner over an SSH connection (ssh2 exec channels), so dumps run on a remote host and stream back;
// credential files are written over SFTP into a fresh 0700 directory on that host and removed afterwards.
import path from "node:path/posix";
import { PassThrough } from "node:stream";
import type ssh2 from "ssh2";
import type { CommandExit, CommandRunner, RunningCommand, SecretFile } from "./runner";

const STDERR_KEEP = 8192;

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The shell every remote command runs in (the command is `"$@"`): its stdin is /dev/null, and a watcher ends the
 * session's process group when the channel's stdin closes. OpenSSH ignores "signal" requests for exec sessions,
 * so closing the channel (what kill does) is how a cancel reaches the host. The exit status is the command's.
 */
export const REMOTE_WATCHER = [
  "exec 3<&0 </dev/null",
  "(read _ <&3; kill -TERM 0) &",
  "w=$!",
  "exec 3<&-",
  '"$@"',
  "s=$?",
  "kill $w 2>/dev/null",
  "exit $s",
].join("\n");

/** The argv that runs `argv` inside REMOTE_WATCHER. */
export function watchedArgv(argv: string[]): string[] {
  return ["sh", "-c", REMOTE_WATCHER, "strata-run", ...argv];
}

/** Runs commands on the host of an authenticated ssh2 client (see connectSsh); kill ends the command on the host. */
export class SshRunner implements CommandRunner {
  constructor(
    private readonly client: ssh2.Client,
    readonly host: string,
  ) {}

  start(argv: string[], opts: { env?: Record<string, string> } = {}): RunningCommand {
    if (argv.length === 0) throw new Error("Cannot start a command: the argument list is empty");
    const envWords = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = [...(envWords.length ? ["env", ...envWords] : []), ...watchedArgv(argv).map(shellQuote)].join(" ");
    const stdout = new PassThrough({ highWaterMark: 1 << 20 });
    let channel: ssh2.ClientChannel | undefined;
    let killed = false;
    let stderr = "";
    const done = new Promise<CommandExit>((resolve) => {
      this.client.exec(line, (err, ch) => {
        if (err) {
          stdout.end();
          return resolve({ code: null, signal: null, stderr: `${this.host}: ${err.message}` });
        }
        channel = ch;
        if (killed) ch.close();
        let code: number | null = null;
        let signal: string | null = null;
        ch.on("exit", (c: number | null, sig?: string) => {
          code = c;
          signal = sig ? `SIG${sig}` : null;
        });
        ch.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-STDERR_KEEP)));
        ch.pipe(stdout);
        ch.on("close", () => resolve({ code, signal, stderr }));
      });
    });
    return {
      stdout,
      done,
      kill: () => {
        killed = true;
        // Closing the channel closes the command's stdin on the host: REMOTE_WATCHER then ends its processes.
        channel?.close();
      },
    };
  }

  /** Runs a short command and returns its exit and output. */
  private async capture(argv: string[]): Promise<CommandExit & { stdout: string }> {
    const cmd = this.start(argv);
    let out = "";
    cmd.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    const exit = await cmd.done;
    return { ...exit, stdout: out };
  }

  async writeSecretFile(name: string, content: string): Promise<SecretFile> {
    const mk = await this.capture(["sh", "-c", "umask 077 && mktemp -d \"${TMPDIR:-/tmp}/strata-secret-XXXXXXXX\""]);
    const dir = mk.stdout.trim();
    if (mk.code !== 0 || !dir.startsWith("/")) throw new Error(`Cannot create a private temporary directory on "${this.host}": ${mk.stderr.trim() || "mktemp failed"}`);
    let removed = false;
    const remove = async () => {
      if (removed) return;
      removed = true;
      await this.capture(["rm", "-rf", "--", dir]);
    };
    const file = path.join(dir, name);
    try {
      await new Promise<void>((resolve, reject) => {
        this.client.sftp((err, sftp) => {
          if (err) return reject(err);
          sftp.writeFile(file, content, { mode: 0o600, flag: "wx" }, (werr) => {
            sftp.end();
            if (werr) reject(werr);
            else resolve();
          });
        });
      });
    } catch (err) {
      await remove();
      throw new Error(`Cannot write a credential file on "${this.host}": ${(err as Error).message}`, { cause: err });
    }
    return { path: file, remove };
  }

  async hasCommand(command: string): Promise<boolean> {
    return (await this.capture(["sh", "-c", `command -v ${shellQuote(command)} >/dev/null`])).code === 0;
  }
}
