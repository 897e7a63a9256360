// Agents: enrolment tokens (admins), enrolment and heartbeats (agents), listing (admins).
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireRole, type Caller } from "@/lib/auth/caller";
import { hashToken, newToken } from "@/lib/auth/tokens";
import { encryptSecret } from "@/lib/crypto/secrets";
import { recordAudit } from "@/lib/data/audit";
import type { Ctx } from "@/lib/data/users";
import type { EnrolRequest, HeartbeatRequest } from "@/lib/schemas/agent";

/** An agent counts as online when it sent a heartbeat within this many seconds. */
export const ONLINE_SECONDS = 90;

/** Registered agents with their online state, admins only. */
export async function listAgents(caller: Caller) {
  requireRole(caller, "admin");
  const rows = await db().agent.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, version: true, hostname: true, lastSeenAt: true, createdAt: true, _count: { select: { hosts: true, repositories: true } } },
  });
  const now = Date.now();
  return rows.map((a) => ({ ...a, online: !!a.lastSeenAt && now - a.lastSeenAt.getTime() < ONLINE_SECONDS * 1000 }));
}

/** Makes a one-time enrolment token valid for `hours`; returns it (shown once). */
export async function createEnrolmentToken(caller: Caller | "system", label: string, hours: number, ctx: Ctx) {
  if (caller !== "system") requireRole(caller, "admin");
  const token = newToken("enrol");
  await db().$transaction(async (tx) => {
    const row = await tx.enrolmentToken.create({
      data: { tokenHash: hashToken(token), label, expiresAt: new Date(Date.now() + hours * 3600_000), createdById: caller === "system" ? null : caller.id },
    });
    await recordAudit(tx, {
      actor: caller === "system" ? null : { id: caller.id, email: caller.email },
      action: "agent.enrolment-token",
      targetType: "enrolment-token",
      targetId: row.id,
      targetLabel: label,
      ip: ctx.ip,
    });
  });
  return token;
}

/** Enrols an agent with a one-time token; returns its bearer token and data-plane secret. */
export async function enrolAgent(req: EnrolRequest, ctx: Ctx) {
  const token = newToken("agent");
  const secret = randomBytes(32).toString("base64url");
  return db().$transaction(async (tx) => {
    const enrol = await tx.enrolmentToken.findUnique({ where: { tokenHash: hashToken(req.enrolmentToken) } });
    if (!enrol || enrol.usedAt || enrol.expiresAt <= new Date()) throw new AppError("unauthenticated", "The enrolment token is unknown, used or expired");
    const existing = await tx.agent.findUnique({ where: { name: req.name }, select: { id: true } });
    const data = { tokenHash: hashToken(token), secretEnc: encryptSecret(secret), version: req.version, hostname: req.hostname, url: req.url ?? null, sshPublicKey: req.sshPublicKey ?? null, lastSeenAt: new Date() };
    const agent = existing
      ? await tx.agent.update({ where: { id: existing.id }, data })
      : await tx.agent.create({ data: { name: req.name, ...data } });
    await tx.enrolmentToken.update({ where: { id: enrol.id }, data: { usedAt: new Date(), usedByAgent: agent.id } });
    await recordAudit(tx, { actor: null, action: existing ? "agent.re-enrol" : "agent.enrol", targetType: "agent", targetId: agent.id, targetLabel: req.name, ip: ctx.ip });
    return { agentId: agent.id, token, secret };
  });
}

/** Resolves an agent's bearer token; throws 401 when unknown. */
export async function agentByToken(bearer: string | null) {
  const m = bearer && /^Bearer\s+(\S+)$/i.exec(bearer);
  const agent = m ? await db().agent.findUnique({ where: { tokenHash: hashToken(m[1]) }, select: { id: true, name: true } }) : null;
  if (!agent) throw new AppError("unauthenticated", "Unknown agent token");
  return agent;
}

/** Records a heartbeat. */
export async function heartbeat(agentId: string, hb: HeartbeatRequest) {
  await db().agent.update({ where: { id: agentId }, data: { lastSeenAt: new Date(), version: hb.version, hostname: hb.hostname, ...(hb.url ? { url: hb.url } : {}), ...(hb.sshPublicKey ? { sshPublicKey: hb.sshPublicKey } : {}) } });
}
