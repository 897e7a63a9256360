// Opens the source of a job on one host: a local directory for hosts of transport "local", an SFTP session for
// SSH hosts. The one place tasks get a Source from, so every engine reads hosts the same way.
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { openLocalSource } from "./local";
import { ensureAgentKey } from "./ssh/agent-key";
import { connectHost, type ConnectedHost, type ConnectOptions } from "./ssh/connect";
import { openSftpSource } from "./ssh/sftp-source";
import type { Source } from "./types";

export interface OpenSourceContext {
  /** Directory of the agent's state (its SSH key lives there). */
  stateDir: string;
  /** Called with the key the host presented; resolves false when it must not be trusted (pinning). */
  checkHostKey?(host: HostConnection, fingerprint: string): Promise<boolean>;
  signal?: AbortSignal;
  /** SSH handshake timeout (default 20 s). */
  timeoutMs?: number;
  /** Each connection step as it finishes (test connection shows them). */
  onStep?: ConnectOptions["onStep"];
}

/** Connects to an SSH host with the agent's key, checking its host key (see connectHost). */
export async function connectToHost(host: HostConnection, ctx: OpenSourceContext): Promise<ConnectedHost> {
  const key = await ensureAgentKey(ctx.stateDir);
  return connectHost(host, {
    privateKey: key.privateKey,
    checkHostKey: ctx.checkHostKey ? (h, fp) => ctx.checkHostKey!(h, fp) : undefined,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onStep: ctx.onStep,
  });
}

/** `user@address:port` of a host, for messages. */
export function hostLabel(host: HostConnection): string {
  return `"${host.name}" (${host.user}@${host.address}:${host.port})`;
}

/** Opens `rootPath` on `host` as a Source. */
export async function openHostSource(host: HostConnection, rootPath: string, ctx: OpenSourceContext): Promise<Source> {
  if (host.local) return openLocalSource(rootPath);
  const { client } = await connectToHost(host, ctx);
  return openSftpSource(client, rootPath, hostLabel(host));
}
