// Who is calling: resolves the session cookie or a Bearer token to a live, enabled user, and checks roles.
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { hashToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";

/** The authenticated user behind a request. */
export interface Caller {
  id: string;
  email: string;
  name: string;
  role: Role;
  via: "session" | "token";
}

const select = { id: true, email: true, name: true, role: true, disabled: true, sessionVersion: true } as const;

/** The caller of a page or server action, or null when signed out, disabled or signed out everywhere. */
export async function sessionCaller(): Promise<Caller | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; sv?: number } | null;
  if (!session?.userId) return null;
  const user = await db().user.findUnique({ where: { id: session.userId }, select });
  if (!user || user.disabled || user.sessionVersion !== session.sv) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, via: "session" };
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** The caller of an API request: a Bearer token if present (and then only it), else the session. */
export async function apiCaller(req: Request): Promise<Caller | null> {
  const auth = req.headers.get("authorization");
  if (!auth) return sessionCaller();
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) return null;
  const token = await db().apiToken.findUnique({
    where: { tokenHash: hashToken(m[1]) },
    select: { id: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select } },
  });
  const now = new Date();
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now) || token.user.disabled) return null;
  // "Last used" is shown to the minute: one write a minute per token, not one per request.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db().apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  const u = token.user;
  return { id: u.id, email: u.email, name: u.name, role: u.role, via: "token" };
}

/** Throws 403 unless the caller has one of the roles. */
export function requireRole(caller: Caller, ...roles: Role[]): void {
  if (!roles.includes(caller.role)) throw new AppError("forbidden", "You do not have the right to do this");
}
