// The agent's own SSH key pair (ed25519): made once in the state directory, private key mode 0600 and never sent
// anywhere; the public key goes to the console (enrolment, heartbeats) so admins can authorize it on hosts.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import ssh2 from "ssh2";
import { AgentError } from "@/agent/errors";

export const AGENT_KEY_FILE = "ssh_ed25519";

export interface AgentKey {
  /** OpenSSH private key text (for ssh2's `privateKey`). */
  privateKey: string;
  /** One line: "ssh-ed25519 AAAA… strata-agent@hostname". */
  publicKey: string;
}

/** Keys read or made by this process, by state directory (one generation even when asked concurrently). */
const cache = new Map<string, Promise<AgentKey>>();

/** Reads the agent's key pair from `stateDir`, generating it on first use. */
export function ensureAgentKey(stateDir: string): Promise<AgentKey> {
  const dir = path.resolve(stateDir);
  let p = cache.get(dir);
  if (!p) {
    p = readOrMake(dir);
    cache.set(dir, p);
    p.catch(() => cache.delete(dir)); // a failure is not remembered: the next call tries again
  }
  return p;
}

async function readOrMake(stateDir: string): Promise<AgentKey> {
  const file = path.join(stateDir, AGENT_KEY_FILE);
  const existing = await loadAgentKey(stateDir);
  if (existing) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: `strata-agent@${os.hostname()}` });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, pair.private, { mode: 0o600 });
  await writeFile(`${tmp}.pub`, pair.public.trim() + "\n", { mode: 0o644 });
  await rename(`${tmp}.pub`, `${file}.pub`);
  await rename(tmp, file); // last: a key file present means both halves are
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/** The key pair if it exists (null otherwise); a damaged key is an error, never silently replaced. */
export async function loadAgentKey(stateDir: string): Promise<AgentKey | null> {
  const file = path.join(stateDir, AGENT_KEY_FILE);
  let privateKey: string;
  try {
    privateKey = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed)) throw new AgentError("fatal", `The agent's SSH key "${file}" cannot be read: ${parsed instanceof Error ? parsed.message : "several keys"}`);
  const pub = parsed.getPublicSSH();
  const publicKey = `${parsed.type} ${Buffer.from(pub).toString("base64")} ${parsed.comment || `strata-agent@${os.hostname()}`}`.trim();
  return { privateKey, publicKey };
}
