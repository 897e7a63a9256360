// Opens an SSH connection with ssh2 to a host whose key is pinned by its SHA256 fingerprint, and turns
// ssh2's failures into clear messages (unreachable host, wrong host key, refused login).
import { createHash } from "node:crypto";
import type { Duplex } from "node:stream";
import ssh2 from "ssh2";
import { AgentError } from "@/agent/errors";

/** Where to connect and as whom; the host key must match `hostKeyFingerprint` (OpenSSH `SHA256:...` form). */
export interface SshEndpoint {
  host: string;
  port?: number;
  user: string;
  privateKey: Buffer | string;
  passphrase?: string;
  hostKeyFingerprint: string;
  readyTimeoutMs?: number;
  /** An already connected transport (tests route through a fault-injecting proxy this way). */
  sock?: Duplex;
}

/** OpenSSH's fingerprint of a raw public-key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintOf(keyBlob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

/** Accepts `SHA256:abc…` or bare `abc…` (padding optional) and returns the `SHA256:` form. */
export function normalizeFingerprint(fp: string): string {
  const bare = fp.trim().replace(/^SHA256:/i, "").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]{43}$/.test(bare)) throw new AgentError("usage", `Invalid host key fingerprint "${fp}": expected SHA256:<43 base64 characters>`);
  return `SHA256:${bare}`;
}

/** `host:port` for messages. */
export function endpointLabel(host: string, port = 22): string {
  return `${host}:${port}`;
}

function describeNetworkError(err: NodeJS.ErrnoException & { level?: string }): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ECONNRESET":
      return "connection reset by the server";
  }
  if (/timed out/i.test(err.message)) return "timed out waiting for the SSH handshake";
  return err.message;
}

/** Connects and authenticates with the private key; rejects with an AgentError naming the host and cause. */
export function connectSsh(ep: SshEndpoint): Promise<ssh2.Client> {
  const expected = normalizeFingerprint(ep.hostKeyFingerprint);
  const where = endpointLabel(ep.host, ep.port);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let seen: string | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };
    client.on("ready", () => {
      settled = true;
      resolve(client);
    });
    client.on("error", (err: NodeJS.ErrnoException & { level?: string }) => {
      if (seen && seen !== expected) {
        fail(new AgentError("fatal", `Host key of "${where}" does not match the pinned fingerprint: expected "${expected}", got "${seen}"; refusing to connect`, { cause: err }));
      } else if (err.level === "client-authentication") {
        fail(new AgentError("fatal", `Cannot log in to "${ep.user}@${where}": the server refused the key`, { cause: err }));
      } else {
        fail(new AgentError("retryable", `Cannot connect to SFTP host "${where}": ${describeNetworkError(err)}`, { cause: err }));
      }
    });
    client.on("close", () => fail(new AgentError("retryable", `Cannot connect to SFTP host "${where}": connection closed during the handshake`)));
    client.connect({
      host: ep.host,
      port: ep.port ?? 22,
      username: ep.user,
      privateKey: ep.privateKey,
      passphrase: ep.passphrase,
      sock: ep.sock as never,
      readyTimeout: ep.readyTimeoutMs ?? 20_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return seen === expected;
      },
    });
  });
}

/** Reads a host's key fingerprint without logging in (for pinning it when a job is set up). */
export function fetchHostKeyFingerprint(host: string, port = 22, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let seen: string | undefined;
    const done = () => {
      client.end();
      if (seen) resolve(seen);
      else reject(new AgentError("retryable", `Cannot read the host key of "${endpointLabel(host, port)}": no key was offered`));
    };
    client.on("error", (err: NodeJS.ErrnoException) => {
      if (seen) return done();
      client.end();
      reject(new AgentError("retryable", `Cannot connect to SFTP host "${endpointLabel(host, port)}": ${describeNetworkError(err)}`, { cause: err }));
    });
    client.connect({
      host,
      port,
      username: "strata-host-key-probe",
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return false;
      },
    });
  });
}
