// First-start tasks on the catalogue: the first admin and the local agent's enrolment token.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { generatePassword, hashPassword, passwordProblem } from "@/lib/auth/password";
import { hashToken, newToken } from "@/lib/auth/tokens";
import { recordAudit } from "@/lib/data/audit";

/** Outcome of ensureFirstAdmin: nothing done, or the admin made (with the password when generated). */
export type FirstAdmin = { created: false } | { created: true; email: string; generatedPassword?: string };

/**
 * Creates the first admin when the catalogue has no user: from STRATA_ADMIN_EMAIL / STRATA_ADMIN_PASSWORD,
 * or with a generated password returned to be printed once. There is no default password.
 */
export async function ensureFirstAdmin(prisma: PrismaClient, email: string | undefined, password: string | undefined): Promise<FirstAdmin> {
  if ((await prisma.user.count()) > 0) return { created: false };
  const adminEmail = (email ?? "admin@localhost").toLowerCase();
  if (password) {
    const problem = passwordProblem(password, adminEmail);
    if (problem) throw new Error(`STRATA_ADMIN_PASSWORD is too weak: ${problem}`);
  }
  const pw = password ?? generatePassword();
  await prisma.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email: adminEmail, name: "Administrator", role: "admin", passwordHash: await hashPassword(pw) } });
    await recordAudit(tx, { actor: null, action: "user.create", targetType: "user", targetId: user.id, targetLabel: adminEmail, details: { role: "admin", firstStart: true } });
  });
  return { created: true, email: adminEmail, generatedPassword: password ? undefined : pw };
}

/** A one-time enrolment token (valid one hour) for the agent started next to the console. */
export async function localAgentEnrolmentToken(prisma: PrismaClient): Promise<string> {
  const token = newToken("enrol");
  await prisma.enrolmentToken.create({ data: { tokenHash: hashToken(token), label: "local agent (npm start)", expiresAt: new Date(Date.now() + 3600_000) } });
  return token;
}
