// Hosts as each caller may see them: admins all, operators and viewers those assigned to them.
import { isIP } from "node:net";
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import type { HostConnection, HostKeyResponse } from "@/lib/schemas/agent-protocol";
import { ONLINE_SECONDS } from "@/lib/data/agents";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireRole, type Caller } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/data/audit";
import type { Ctx } from "@/lib/data/users";

/** The `where` that limits hosts to the caller's. */
export function visibleHosts(caller: Caller): Prisma.HostWhereInput {
  return caller.role === "admin" ? {} : { assignments: { some: { userId: caller.id } } };
}

/** Hosts the caller may see, for the dashboard and pickers. */
export async function listHosts(caller: Caller) {
  return db().host.findMany({
    where: visibleHosts(caller),
    orderBy: { name: "asc" },
    select: { id: true, name: true, address: true, agent: { select: { name: true } }, _count: { select: { jobs: true, repositories: true } } },
  });
}

/** The fields of a host's settings (see hostInput for the rules across fields). */
export const hostFields = z.object({
  name: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "Letters, digits, . _ - (max 63), starting with a letter or digit"),
  address: z
    .string()
    .trim()
    .min(1, "Enter a host name, an IP address or \"local\"")
    .max(253)
    .refine((a) => a === "local" || isIP(a) !== 0 || /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(a), "Not a valid host name or IP address"),
  sshPort: z.coerce.number({ message: "Enter a port number" }).int("Enter a whole number").min(1, "Port must be 1-65535").max(65535, "Port must be 1-65535").default(22),
  sshUser: z.string().trim().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, "Not a valid user name").default("root"),
  agentId: z.string().uuid("Choose an agent").nullable().optional(),
  description: z.string().max(500).default(""),
  /** "ssh": over SSH/SFTP from its agent; "local": the agent's own machine, read directly. */
  transport: z.enum(["ssh", "local"], { message: "Choose how the agent reaches the host" }).default("ssh"),
});

/** Rules across fields: an SSH host needs a real address; the agent's own machine needs that agent. */
export function hostRules(h: { transport: "ssh" | "local"; address: string; agentId?: string | null }, ctx: z.RefinementCtx): void {
  if (h.transport === "ssh" && h.address === "local")
    ctx.addIssue({ code: "custom", path: ["address"], message: 'Enter the host\'s name or IP address, or choose "This agent\'s own machine"' });
  if (h.transport === "local" && !h.agentId) ctx.addIssue({ code: "custom", path: ["agentId"], message: "Choose the agent whose machine this is" });
}

/** Address "local" without a transport means the agent's own machine (as before transports existed). */
function inferTransport(v: unknown): unknown {
  if (v && typeof v === "object" && !("transport" in v) && (v as { address?: unknown }).address === "local") return { ...v, transport: "local" };
  return v;
}

/** Validated host settings, as the host form and API send them. */
export const hostInput = z.preprocess(inferTransport, hostFields.superRefine(hostRules));
export type HostInput = z.infer<typeof hostInput>;

/** One host the caller may see; 404 otherwise. */
export async function getHost(caller: Caller, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "No such host");
  const host = await db().host.findFirst({
    where: { AND: [{ id }, visibleHosts(caller)] },
    select: {
      id: true, name: true, address: true, sshPort: true, sshUser: true, description: true, hostKeyFingerprint: true,
      pendingHostKeyFingerprint: true, agentId: true, createdAt: true, transport: true,
      agent: { select: { id: true, name: true, sshPublicKey: true, lastSeenAt: true } },
      jobs: { select: { id: true, name: true, method: true, schedule: true, enabled: true }, orderBy: { name: "asc" } },
    },
  });
  if (!host) throw new AppError("not_found", "No such host");
  return host;
}

async function checkAgent(tx: Prisma.TransactionClient, agentId: string | null | undefined) {
  if (agentId && !(await tx.agent.findUnique({ where: { id: agentId }, select: { id: true } })))
    throw new AppError("invalid", "That agent does not exist", { fieldErrors: { agentId: ["That agent does not exist"] } });
}

function duplicateName(err: unknown, name: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
    throw new AppError("conflict", `A host named "${name}" already exists`, { fieldErrors: { name: ["This name is already used"] } });
  throw err;
}

/** Creates a host (admins). */
export async function createHost(caller: Caller, input: HostInput, ctx: Ctx) {
  requireRole(caller, "admin");
  try {
    return await db().$transaction(async (tx) => {
      await checkAgent(tx, input.agentId);
      const host = await tx.host.create({ data: { ...input, agentId: input.agentId ?? null }, select: { id: true, name: true } });
      await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "host.create", targetType: "host", targetId: host.id, targetLabel: host.name, ip: ctx.ip, details: { address: input.address } });
      return host;
    });
  } catch (err) {
    duplicateName(err, input.name);
  }
}

/** Changes a host's settings (admins); a changed address or port forgets the pinned host key. */
export async function updateHost(caller: Caller, id: string, input: HostInput, ctx: Ctx) {
  requireRole(caller, "admin");
  try {
    await db().$transaction(async (tx) => {
      const before = await tx.host.findUnique({ where: { id }, select: { address: true, sshPort: true, transport: true } });
      if (!before) throw new AppError("not_found", "No such host");
      await checkAgent(tx, input.agentId);
      const moved = before.address !== input.address || before.sshPort !== input.sshPort || before.transport !== input.transport;
      await tx.host.update({ where: { id }, data: { ...input, agentId: input.agentId ?? null, ...(moved ? { hostKeyFingerprint: null, pendingHostKeyFingerprint: null } : {}) } });
      await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "host.update", targetType: "host", targetId: id, targetLabel: input.name, ip: ctx.ip, details: { ...input, hostKeyReset: moved } });
    });
  } catch (err) {
    duplicateName(err, input.name);
  }
}

/** Deletes a host and its jobs (admins) after its name was typed; repositories stay on disk and in the catalogue. */
export async function deleteHost(caller: Caller, id: string, confirmation: string, ctx: Ctx) {
  requireRole(caller, "admin");
  await db().$transaction(async (tx) => {
    const host = await tx.host.findUnique({ where: { id }, select: { name: true } });
    if (!host) throw new AppError("not_found", "No such host");
    if (confirmation.trim() !== host.name) throw new AppError("invalid", `Type "${host.name}" to confirm`, { fieldErrors: { confirm: [`Type "${host.name}" to confirm`] } });
    await tx.host.delete({ where: { id } });
    await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "host.delete", targetType: "host", targetId: id, targetLabel: host.name, ip: ctx.ip });
  });
}

/** Agents to choose from in the host form (names only). */
export async function agentChoices(caller: Caller) {
  requireRole(caller, "admin");
  return db().agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}

const connectionSelect = { id: true, name: true, address: true, sshPort: true, sshUser: true, hostKeyFingerprint: true, transport: true } as const;

/** A host row as the agent connects to it. */
export function toHostConnection(h: { id: string; name: string; address: string; sshPort: number; sshUser: string; hostKeyFingerprint: string | null; transport: string }): HostConnection {
  return { id: h.id, name: h.name, address: h.address, port: h.sshPort, user: h.sshUser, hostKeyFingerprint: h.hostKeyFingerprint, local: h.transport === "local" };
}

/**
 * An agent met a host's key (POST /api/agent/v1/host-keys): the first key is pinned; the pinned key again is
 * fine; a different one is kept as pending (shown on the host page, audited once) and refused until an admin
 * accepts it. Only hosts assigned to that agent.
 */
export async function recordHostKey(agentId: string, hostId: string, fingerprint: string): Promise<HostKeyResponse & { newlyPending?: { pinned: string | null } }> {
  return db().$transaction(async (tx) => {
    let host = await tx.host.findFirst({ where: { id: hostId, agentId }, select: { name: true, hostKeyFingerprint: true, pendingHostKeyFingerprint: true } });
    if (!host) throw new AppError("not_found", "No such host among this agent's hosts");
    const audit = (action: string, details: Record<string, unknown>) =>
      recordAudit(tx, { actor: null, action, targetType: "host", targetId: hostId, targetLabel: host!.name, ip: null, details: { agentId, ...details } });
    if (!host.hostKeyFingerprint) {
      // Conditional: of two first contacts at once, one pins and the other compares with it.
      const pinned = await tx.host.updateMany({ where: { id: hostId, hostKeyFingerprint: null }, data: { hostKeyFingerprint: fingerprint, pendingHostKeyFingerprint: null } });
      if (pinned.count === 1) {
        await audit("host.key-pinned", { fingerprint });
        return { v: 1, result: "pinned", pinned: fingerprint };
      }
      host = await tx.host.findUniqueOrThrow({ where: { id: hostId }, select: { name: true, hostKeyFingerprint: true, pendingHostKeyFingerprint: true } });
    }
    if (host.hostKeyFingerprint === fingerprint) return { v: 1, result: "pinned", pinned: fingerprint };
    if (host.pendingHostKeyFingerprint !== fingerprint) {
      await tx.host.update({ where: { id: hostId }, data: { pendingHostKeyFingerprint: fingerprint } });
      await audit("host.key-mismatch", { pinned: host.hostKeyFingerprint, presented: fingerprint });
      return { v: 1, result: "mismatch", pinned: host.hostKeyFingerprint, newlyPending: { pinned: host.hostKeyFingerprint } };
    }
    return { v: 1, result: "mismatch", pinned: host.hostKeyFingerprint };
  });
}

/** Makes the pending key the pinned one (admins); `fingerprint` must be the pending key the admin saw. */
export async function acceptHostKey(caller: Caller, hostId: string, fingerprint: string, ctx: Ctx): Promise<string> {
  requireRole(caller, "admin");
  return db().$transaction(async (tx) => {
    const host = await tx.host.findUnique({ where: { id: hostId }, select: { name: true, hostKeyFingerprint: true, pendingHostKeyFingerprint: true } });
    if (!host) throw new AppError("not_found", "No such host");
    if (!host.pendingHostKeyFingerprint) throw new AppError("conflict", "This host has no new key waiting to be accepted");
    if (host.pendingHostKeyFingerprint !== fingerprint) throw new AppError("conflict", `The waiting key changed to ${host.pendingHostKeyFingerprint}: check it and accept again`);
    await tx.host.update({ where: { id: hostId }, data: { hostKeyFingerprint: fingerprint, pendingHostKeyFingerprint: null } });
    await recordAudit(tx, {
      actor: { id: caller.id, email: caller.email }, action: "host.key-accept", targetType: "host", targetId: hostId, targetLabel: host.name, ip: ctx.ip,
      details: { previous: host.hostKeyFingerprint, accepted: fingerprint },
    });
    return fingerprint;
  });
}

/**
 * A host the caller may manage jobs of, with its connection and its agent, for asking the agent about it
 * (test connection, preview). Clear errors when the host has no agent or the agent is offline.
 */
export async function hostForAgentCall(caller: Caller, hostId: string) {
  if (caller.role !== "admin" && caller.role !== "operator") throw new AppError("forbidden", "Only admins and operators can test hosts");
  if (!/^[0-9a-f-]{36}$/i.test(hostId)) throw new AppError("not_found", "No such host");
  const host = await db().host.findFirst({
    where: { AND: [{ id: hostId }, visibleHosts(caller)] },
    select: { ...connectionSelect, agent: { select: { id: true, name: true, url: true, secretEnc: true, lastSeenAt: true } } },
  });
  if (!host) throw new AppError("not_found", "No such host");
  const agent = host.agent;
  if (!agent) throw new AppError("invalid", `Host "${host.name}" has no agent: choose one in its settings`);
  const seen = agent.lastSeenAt?.getTime() ?? 0;
  if (Date.now() - seen > ONLINE_SECONDS * 1000)
    throw new AppError("unavailable", `Agent "${agent.name}" is offline (${agent.lastSeenAt ? `last seen ${agent.lastSeenAt.toISOString()}` : "never seen"}): start it, then try again`);
  if (!agent.url) throw new AppError("unavailable", `Agent "${agent.name}" has not reported its address yet`);
  return { host: toHostConnection(host), agentId: agent.id, agent: { name: agent.name, url: agent.url, secretEnc: agent.secretEnc } };
}

/** After a successful test of an unpinned host, pins the key it presented (the same rule as the agent's report). */
export async function pinTestedHostKey(caller: Caller, hostId: string, fingerprint: string, ctx: Ctx): Promise<void> {
  await db().$transaction(async (tx) => {
    const updated = await tx.host.updateMany({ where: { AND: [{ id: hostId, hostKeyFingerprint: null }, visibleHosts(caller)] }, data: { hostKeyFingerprint: fingerprint, pendingHostKeyFingerprint: null } });
    if (updated.count === 1)
      await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "host.key-pinned", targetType: "host", targetId: hostId, targetLabel: null, ip: ctx.ip, details: { fingerprint, by: "test connection" } });
  });
}
