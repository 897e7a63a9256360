// Test support: a real OpenSSH sshd on 127.0.0.1 (own config, generated ed25519 host and user keys, in a
// temp dir) and a TCP proxy in front of it that can cut the connection after N client bytes.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** A running test sshd. */
export interface TestSshd {
  port: number;
  dir: string;
  user: string;
  userKeyPath: string;
  hostKeyFingerprint: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, "127.0.0.1", () => {
        sock.destroy();
        resolve(true);
      });
      sock.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on port ${port}: ${log()}`);
}

/** Starts `sshd -D` as the current user with key-only login; fails clearly when sshd is missing. */
export async function startTestSshd(extraConfig: string[] = []): Promise<TestSshd> {
  const sshd = "/usr/sbin/sshd";
  if (!existsSync(sshd)) throw new Error(`This test needs "${sshd}" (Debian package openssh-server)`);
  if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(os.tmpdir(), "strata-sshd-"));
  const hostKey = path.join(dir, "host_ed25519");
  const userKey = path.join(dir, "user_ed25519");
  for (const k of [hostKey, userKey]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", k]);
  await writeFile(path.join(dir, "authorized_keys"), await readFile(`${userKey}.pub`));
  const fp = execFileSync("ssh-keygen", ["-lf", `${hostKey}.pub`], { encoding: "utf8" }).split(" ")[1];
  const port = await freePort();
  const cfg = path.join(dir, "sshd_config");
  await writeFile(
    cfg,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "Subsystem sftp internal-sftp",
      "LogLevel ERROR",
      ...extraConfig,
      "",
    ].join("\n"),
  );
  const child = spawn(sshd, ["-D", "-e", "-f", cfg], { stdio: ["ignore", "ignore", "pipe"] });
  let errText = "";
  child.stderr!.on("data", (d: Buffer) => (errText += d.toString()));
  await waitForPort(port, child, () => errText);
  return {
    port,
    dir,
    user: os.userInfo().username,
    userKeyPath: userKey,
    hostKeyFingerprint: fp,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP proxy to `targetPort` that drops each connection after `cutAfter()` client→server bytes (Infinity = never). */
export async function startCuttingProxy(targetPort: number, cutAfter: () => number) {
  const sockets = new Set<net.Socket>();
  const upstreamClosed: Promise<void>[] = [];
  let cuts = 0;
  const server = net.createServer((client) => {
    const limit = cutAfter();
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    upstreamClosed.push(new Promise((r) => upstream.once("close", () => r())));
    let forwarded = 0;
    let cut = false;
    client.on("data", (d: Buffer) => {
      if (cut) return;
      forwarded += d.length;
      if (forwarded > limit) {
        // Cut like a dropped link: the client loses its socket; the server gets a clean EOF after the
        // bytes already forwarded (a reset could make it discard them and the test would be flaky).
        cut = true;
        cuts++;
        upstream.unpipe(client);
        upstream.resume();
        upstream.end();
        client.destroy();
        return;
      }
      upstream.write(d);
    });
    upstream.pipe(client);
    client.on("error", () => undefined).on("close", () => {
      if (!cut) upstream.destroy();
    });
    upstream.on("error", () => client.destroy()).on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cuts: () => cuts,
    /** Waits until the server side of every cut connection has finished (sshd wrote what it received). */
    settled: async () => {
      const timeout = new Promise<void>((r) => setTimeout(r, 10_000).unref());
      await Promise.race([Promise.all(upstreamClosed), timeout]);
    },
    stop: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}
