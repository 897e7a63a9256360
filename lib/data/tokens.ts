// Personal API tokens: create (shown once), list, revoke. A user only ever sees their own.
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { hashToken, newToken } from "@/lib/auth/tokens";
import { recordAudit } from "@/lib/data/audit";
import type { Ctx } from "@/lib/data/users";

/** The caller's tokens, newest first (never the secret). */
export async function listTokens(caller: Caller) {
  return db().apiToken.findMany({
    where: { userId: caller.id },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, expiresAt: true, lastUsedAt: true, revokedAt: true, createdAt: true },
  });
}

/** Creates a token and returns its value, which is never shown again. */
export async function createToken(caller: Caller, input: { name: string; expiresAt: Date | null }, ctx: Ctx) {
  if (input.expiresAt && input.expiresAt <= new Date())
    throw new AppError("invalid", "The expiry date is in the past", { fieldErrors: { expiresAt: ["Choose a date in the future"] } });
  const token = newToken("pat");
  try {
    await db().$transaction(async (tx) => {
      const row = await tx.apiToken.create({
        data: { userId: caller.id, name: input.name.trim(), tokenHash: hashToken(token), prefix: token.slice(0, 15), expiresAt: input.expiresAt },
      });
      await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "token.create", targetType: "token", targetId: row.id, targetLabel: row.name, ip: ctx.ip });
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
      throw new AppError("conflict", `You already have a token named "${input.name}"`, { fieldErrors: { name: ["This name is already used"] } });
    throw err;
  }
  return token;
}

/** Revokes one of the caller's tokens at once. */
export async function revokeToken(caller: Caller, id: string, ctx: Ctx) {
  await db().$transaction(async (tx) => {
    const t = await tx.apiToken.findFirst({ where: { id, userId: caller.id }, select: { id: true, name: true, revokedAt: true } });
    if (!t) throw new AppError("not_found", "No such token");
    if (t.revokedAt) return;
    await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, { actor: { id: caller.id, email: caller.email }, action: "token.revoke", targetType: "token", targetId: id, targetLabel: t.name, ip: ctx.ip });
  });
}
