// Connects to a host of the fleet over SSH with the agent's key, in timed steps (TCP connect, host key,
// authentication) so "Test connection" can show each one. The host key is checked against the pinned
// fingerprint; an unpinned host asks `checkHostKey` (the console pins it on first contact).
import net from "node:net";
import ssh2 from "ssh2";
import { AgentError } from "@/agent/errors";
import { endpointLabel, fingerprintOf } from "@/agent/engines/archive/upload/ssh-connect";
import type { HostConnection } from "@/lib/schemas/agent-protocol";

export type ConnectStepName = "connect" | "host-key" | "authenticate";

export interface ConnectStep {
  step: ConnectStepName;
  ok: boolean;
  message: string;
  durationMs: number;
}

export interface ConnectOptions {
  privateKey: string;
  /** Decides on a key when the host has no pinned fingerprint (false: refuse). Absent: refuse unpinned hosts. */
  checkHostKey?: (host: HostConnection, fingerprint: string) => Promise<boolean>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each finished step, in order. */
  onStep?: (s: ConnectStep) => void;
}

export interface ConnectedHost {
  client: ssh2.Client;
  fingerprint: string;
}

/** Thrown when the connection fails; `step` is where, `fingerprint` the key the host showed (if it got that far). */
export class HostConnectError extends AgentError {
  constructor(
    readonly step: ConnectStepName,
    message: string,
    readonly fingerprint: string | null,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(options?.retryable ? "retryable" : "fatal", message, options);
  }
}

/** Connects and logs in as `host.user`; rejects with a HostConnectError naming the host and what failed. */
export async function connectHost(host: HostConnection, o: ConnectOptions): Promise<ConnectedHost> {
  const where = `${host.user}@${endpointLabel(host.address, host.port)}`;
  const timeoutMs = o.timeoutMs ?? 20_000;
  const step = (s: ConnectStep) => o.onStep?.(s);
  let t = Date.now();
  const elapsed = () => {
    const now = Date.now();
    const d = now - t;
    t = now;
    return d;
  };

  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: host.address, port: host.port });
    const timer = setTimeout(() => s.destroy(Object.assign(new Error("connection timed out"), { code: "ETIMEDOUT" })), timeoutMs);
    const onAbort = () => s.destroy(new Error("cancelled"));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    s.once("connect", () => {
      s.setNoDelay(true); // many small SFTP requests: Nagle + delayed ACKs would stall each one ~40 ms
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      resolve(s);
    });
    s.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      const message = `Cannot connect to "${endpointLabel(host.address, host.port)}": ${networkReason(err)}`;
      step({ step: "connect", ok: false, message, durationMs: elapsed() });
      reject(new HostConnectError("connect", message, null, { cause: err, retryable: true }));
    });
  });
  step({ step: "connect", ok: true, message: `TCP connection to ${endpointLabel(host.address, host.port)} open`, durationMs: elapsed() });

  return new Promise<ConnectedHost>((resolve, reject) => {
    const client = new ssh2.Client();
    let seen: string | null = null;
    let keyDone = false;
    let keyFailure: HostConnectError | null = null;
    let settled = false;
    const fail = (err: HostConnectError) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      client.end();
      sock.destroy();
      reject(err);
    };
    const onAbort = () => fail(new HostConnectError(keyDone ? "authenticate" : "host-key", `Connection to "${where}" cancelled`, seen));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    client.on("ready", () => {
      if (settled) return client.end();
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      step({ step: "authenticate", ok: true, message: `Logged in as "${host.user}" with the agent's key`, durationMs: elapsed() });
      resolve({ client, fingerprint: seen! });
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (keyFailure) return fail(keyFailure);
      if (keyDone && err.level === "client-authentication") {
        const message = `Cannot log in to "${where}": the server refused the agent's key (add the agent's public key to ~${host.user}/.ssh/authorized_keys on the host)`;
        step({ step: "authenticate", ok: false, message, durationMs: elapsed() });
        return fail(new HostConnectError("authenticate", message, seen, { cause: err }));
      }
      const s: ConnectStepName = keyDone ? "authenticate" : "host-key";
      const message = `SSH session with "${where}" failed: ${/timed out/i.test(err.message) ? "timed out waiting for the SSH handshake" : err.message}`;
      step({ step: s, ok: false, message, durationMs: elapsed() });
      fail(new HostConnectError(s, message, seen, { cause: err, retryable: true }));
    });
    client.on("close", () => {
      if (settled) return;
      const s: ConnectStepName = keyDone ? "authenticate" : "host-key";
      const message = keyFailure?.message ?? `SSH session with "${where}" closed during the handshake`;
      if (!keyFailure) step({ step: s, ok: false, message, durationMs: elapsed() });
      fail(keyFailure ?? new HostConnectError(s, message, seen, { retryable: true }));
    });
    client.connect({
      sock,
      username: host.user,
      privateKey: o.privateKey,
      readyTimeout: timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        seen = fingerprintOf(key);
        const fp = seen;
        void decideHostKey(host, fp, o.checkHostKey).then(
          (problem) => {
            keyDone = true;
            if (problem) {
              keyFailure = new HostConnectError("host-key", problem, fp);
              step({ step: "host-key", ok: false, message: problem, durationMs: elapsed() });
              return verify(false);
            }
            step({ step: "host-key", ok: true, message: host.hostKeyFingerprint ? `Host key matches the pinned ${fp}` : `Host key ${fp} accepted and pinned`, durationMs: elapsed() });
            verify(true);
          },
          (err: Error) => {
            keyDone = true;
            const message = `Cannot check the host key ${fp} of "${where}" with the console: ${err.message}`;
            keyFailure = new HostConnectError("host-key", message, fp, { cause: err, retryable: true });
            step({ step: "host-key", ok: false, message, durationMs: elapsed() });
            verify(false);
          },
        );
      },
    } as ssh2.ConnectConfig);
  });
}

/**
 * Null when the key may be trusted, else the reason to refuse (naming both fingerprints when they differ).
 * The console decides on keys the pinned copy does not vouch for: it pins a first key, records a changed one
 * as pending (refused), and may have accepted a new key since this copy of the host was taken.
 */
async function decideHostKey(host: HostConnection, fp: string, check: ConnectOptions["checkHostKey"]): Promise<string | null> {
  if (host.hostKeyFingerprint === fp) return null;
  if (check && (await check(host, fp))) return null;
  const where = `"${host.name}" (${endpointLabel(host.address, host.port)})`;
  if (host.hostKeyFingerprint) {
    return `WARNING: the host key of ${where} has changed: pinned ${host.hostKeyFingerprint}, presented ${fp}. Refusing to connect until an admin accepts the new key on the host page.`;
  }
  if (!check) return `Host ${where} has no pinned host key and this connection cannot pin one (presented ${fp})`;
  return `WARNING: the host key of ${where} was refused by the console: presented ${fp}, which differs from the key pinned there. An admin must accept the new key on the host page.`;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is sshd running on that port?)",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "host unreachable",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset by the server",
};

function networkReason(err: NodeJS.ErrnoException): string {
  return (err.code && NETWORK_REASONS[err.code]) || err.message;
}
