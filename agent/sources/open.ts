// Opens the source of a job on one host: a local directory for hosts of transport "local", an SFTP session for
// SSH hosts. The one place tasks get a Source from, so every engine reads hosts the same way.
import { AgentError } from "../errors";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { openLocalSource } from "./local";
import type { Source } from "./types";

export interface OpenSourceContext {
  /** Directory of the agent's state (its SSH key lives there). */
  stateDir: string;
  /** Called with the key the host presented; resolves false when it must not be trusted (pinning). */
  checkHostKey?(host: HostConnection, fingerprint: string): Promise<boolean>;
  signal?: AbortSignal;
}

/** Opens `rootPath` on `host` as a Source. */
export async function openHostSource(host: HostConnection, rootPath: string, _ctx: OpenSourceContext): Promise<Source> {
  if (host.local) return openLocalSource(rootPath);
  throw new AgentError("fatal", `Host "${host.name}": SSH sources are not available in this agent build yet`);
}
