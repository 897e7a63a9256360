// Hosts as each caller may see them: admins all, operators and viewers those assigned to them.
import { isIP } from "node:net";
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
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

/** Validated host settings, as the host form and API send them. */
export const hostInput = z.object({
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
});
export type HostInput = z.infer<typeof hostInput>;

/** One host the caller may see; 404 otherwise. */
export async function getHost(caller: Caller, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "No such host");
  const host = await db().host.findFirst({
    where: { AND: [{ id }, visibleHosts(caller)] },
    select: {
      id: true, name: true, address: true, sshPort: true, sshUser: true, description: true, hostKeyFingerprint: true,
      pendingHostKeyFingerprint: true, agentId: true, createdAt: true,
      agent: { select: { id: true, name: true, sshPublicKey: true } },
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
      const before = await tx.host.findUnique({ where: { id }, select: { address: true, sshPort: true } });
      if (!before) throw new AppError("not_found", "No such host");
      await checkAgent(tx, input.agentId);
      const moved = before.address !== input.address || before.sshPort !== input.sshPort;
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
