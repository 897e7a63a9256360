// Test support: a HostConnection for a test sshd, and an agent state directory holding the sshd's authorized
// user key as the agent's key (so the agent logs in as the current user).
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { TestSshd } from "@/agent/engines/archive/upload/test-sshd";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { AGENT_KEY_FILE } from "./agent-key";

export async function sshTestHost(sshd: TestSshd, dir: string, over: Partial<HostConnection> = {}): Promise<{ host: HostConnection; stateDir: string }> {
  const stateDir = path.join(dir, "agent-state");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await copyFile(sshd.userKeyPath, path.join(stateDir, AGENT_KEY_FILE));
  const host: HostConnection = {
    id: "00000000-0000-4000-8000-000000000001",
    name: "test-host",
    address: "127.0.0.1",
    port: sshd.port,
    user: sshd.user,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    local: false,
    ...over,
  };
  return { host, stateDir };
}

/** A port nothing listens on (tcpmux): a free port picked at random could be taken by a parallel test's sshd. */
export const CLOSED_PORT = 1;
