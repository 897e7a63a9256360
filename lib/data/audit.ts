// The audit log: recording changes (who, what, target, when, IP) and listing them for admins.
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { requireRole, type Caller } from "@/lib/auth/caller";

type Tx = Prisma.TransactionClient | PrismaClient;

export interface AuditInput {
  actor: { id: string; email: string } | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  targetLabel?: string | null;
  ip?: string | null;
  details?: Prisma.InputJsonValue;
}

/** Appends one audit event; call it inside the transaction that makes the change. */
export async function recordAudit(tx: Tx, e: AuditInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: e.actor?.id ?? null,
      actorEmail: e.actor?.email ?? null,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId ?? null,
      targetLabel: e.targetLabel ?? null,
      ip: e.ip ?? null,
      details: e.details,
    },
  });
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  target?: string;
  from?: Date;
  to?: Date;
  page?: number;
}

export const AUDIT_PAGE_SIZE = 50;

/** Audit events, newest first, filtered; admins only. */
export async function listAudit(caller: Caller, f: AuditFilter) {
  requireRole(caller, "admin");
  const where: Prisma.AuditEventWhereInput = {
    ...(f.action ? { action: { startsWith: f.action } } : {}),
    ...(f.actor ? { actorEmail: { contains: f.actor, mode: "insensitive" } } : {}),
    ...(f.target ? { targetLabel: { contains: f.target, mode: "insensitive" } } : {}),
    ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
  };
  const page = Math.max(1, f.page ?? 1);
  const [rows, total, actions] = await Promise.all([
    db().auditEvent.findMany({
      where,
      orderBy: { at: "desc" },
      take: AUDIT_PAGE_SIZE,
      skip: (page - 1) * AUDIT_PAGE_SIZE,
      select: { id: true, at: true, actorEmail: true, action: true, targetType: true, targetLabel: true, ip: true, details: true },
    }),
    db().auditEvent.count({ where }),
    db().auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
  ]);
  return { rows: rows.map((r) => ({ ...r, id: r.id.toString() })), total, page, actions: actions.map((a) => a.action) };
}
