// Test support: a HostConnection for a test sshd, and an agent state directory holding the sshd's authorized
// user key as the agent's key (so the agent logs in as the current user).
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startTestSshd, type TestSshd } from "@/agent/engines/archive/upload/test-sshd";
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

/**
 * A fresh temporary folder and a test sshd whose sessions get its `host-tmp` folder as TMPDIR, so a test sees
 * that the files a run puts in the host's temporary folder (credentials, snapshots) are gone afterwards.
 */
export async function startSshdWithHostTmp(prefix: string, over: Partial<HostConnection> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const hostTmp = path.join(dir, "host-tmp");
  await mkdir(hostTmp);
  const sshd = await startTestSshd([`SetEnv TMPDIR=${hostTmp}`]);
  return { dir, hostTmp, sshd, ...(await sshTestHost(sshd, dir, over)) };
}
