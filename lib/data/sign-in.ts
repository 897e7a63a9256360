// Credential checks for sign-in, with rate limiting per account and per IP (10 failures per 15 minutes).
import { db } from "@/lib/db";
import { DUMMY_HASH, verifyPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/data/audit";

export const MAX_FAILURES = 10;
export const WINDOW_MINUTES = 15;

/** Checks email and password; returns the user or throws an Error whose message the login form shows. */
export async function signIn(emailRaw: string, password: string, ip: string) {
  const email = emailRaw.trim().toLowerCase();
  if (!email || !password) throw new Error("Enter your email and password");
  const prisma = db();
  const since = new Date(Date.now() - WINDOW_MINUTES * 60_000);
  const [byEmail, byIp] = await Promise.all([
    prisma.loginAttempt.count({ where: { email, success: false, at: { gte: since } } }),
    prisma.loginAttempt.count({ where: { ip, success: false, at: { gte: since } } }),
  ]);
  if (byEmail >= MAX_FAILURES || byIp >= MAX_FAILURES) {
    throw new Error(`Too many attempts: sign-in is blocked for up to ${WINDOW_MINUTES} minutes`);
  }
  const user = await prisma.user.findUnique({ where: { email } });
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await prisma.loginAttempt.create({ data: { email, ip, success: false } });
    if (user) await recordAudit(prisma, { actor: null, action: "login.failed", targetType: "user", targetId: user.id, targetLabel: email, ip });
    throw new Error("Wrong email or password");
  }
  if (user.disabled) {
    await prisma.loginAttempt.create({ data: { email, ip, success: false } });
    throw new Error("This account is disabled: ask an administrator");
  }
  await prisma.$transaction([
    prisma.loginAttempt.create({ data: { email, ip, success: true } }),
    prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } }),
  ]);
  await recordAudit(prisma, { actor: { id: user.id, email: user.email }, action: "login", targetType: "user", targetId: user.id, targetLabel: email, ip });
  return user;
}
