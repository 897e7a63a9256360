// Wire contract between the agent and the console: enrolment and heartbeat (v1).
import { z } from "zod";

export const enrolRequest = z.object({
  v: z.literal(1),
  enrolmentToken: z.string().min(10),
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "agent name: lowercase letters, digits, . _ - (max 63)"),
  version: z.string().max(64),
  hostname: z.string().max(255),
  url: z.string().url().optional(),
  sshPublicKey: z.string().max(4096).optional(),
});
export type EnrolRequest = z.infer<typeof enrolRequest>;

export const enrolResponse = z.object({ v: z.literal(1), agentId: z.string(), token: z.string(), secret: z.string() });
export type EnrolResponse = z.infer<typeof enrolResponse>;

export const heartbeatRequest = z.object({
  v: z.literal(1),
  version: z.string().max(64),
  hostname: z.string().max(255),
  url: z.string().url().optional(),
  /** The agent's SSH public key, so the console shows it even when it was made after enrolment. */
  sshPublicKey: z.string().max(4096).optional(),
});
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;

export const heartbeatResponse = z.object({ v: z.literal(1), serverTime: z.string() });
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

/** The line to add to `~/.ssh/authorized_keys` on a host for an agent's public key: SFTP and commands only (no forwarding, no pty). */
export function authorizedKeysLine(publicKey: string): string {
  return `restrict ${publicKey.trim()}`;
}
