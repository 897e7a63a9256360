// Host-key pinning for SSH sources: the key a host presents is reported to the console (POST /host-keys), which
// pins it on first contact and answers "mismatch" for a different key. While the console is unreachable only the
// fingerprint pinned in the last job list is trusted, so a host never pinned cannot be reached offline.
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import type { ConsoleClient } from "./console-client";

/** The `checkHostKey` callback of openHostSource (agent/sources/open.ts). */
export function hostKeyChecker(
  client: ConsoleClient,
  token: string,
  log: (event: string, fields?: Record<string, unknown>) => void,
): (host: HostConnection, fingerprint: string) => Promise<boolean> {
  return async (host, fingerprint) => {
    let answer;
    try {
      answer = await client.hostKey(token, { v: 1, hostId: host.id, fingerprint });
    } catch (err) {
      log("host-key.offline", { host: host.name, error: (err as Error).message });
      return host.hostKeyFingerprint === fingerprint;
    }
    if (answer.result === "mismatch") log("host-key.mismatch", { host: host.name, presented: fingerprint, pinned: answer.pinned });
    return answer.result === "pinned";
  };
}
