// Users for admins: list, create, change role, disable, reset password, delete, host assignments; own password.
import { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireRole, type Caller } from "@/lib/auth/caller";
import { hashPassword, verifyPassword, passwordProblem } from "@/lib/auth/password";
import { recordAudit } from "@/lib/data/audit";

/** Request context recorded in the audit log. */
export interface Ctx {
  ip: string | null;
}

const publicUser = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  lastLoginAt: true,
  createdAt: true,
} as const;

export interface UserFilter {
  q?: string;
  role?: Role;
  status?: "active" | "disabled";
}

/** Users matching the filter, admins only. */
export async function listUsers(caller: Caller, f: UserFilter = {}) {
  requireRole(caller, "admin");
  return db().user.findMany({
    where: {
      ...(f.q ? { OR: [{ email: { contains: f.q, mode: "insensitive" } }, { name: { contains: f.q, mode: "insensitive" } }] } : {}),
      ...(f.role ? { role: f.role } : {}),
      ...(f.status ? { disabled: f.status === "disabled" } : {}),
    },
    orderBy: { email: "asc" },
    select: { ...publicUser, _count: { select: { hosts: true } } },
  });
}

/** One user with their host assignments, admins only. */
export async function getUser(caller: Caller, id: string) {
  requireRole(caller, "admin");
  const user = await db().user.findUnique({
    where: { id },
    select: { ...publicUser, hosts: { select: { hostId: true } } },
  });
  if (!user) throw new AppError("not_found", "No such user");
  return user;
}

function actor(caller: Caller) {
  return { id: caller.id, email: caller.email };
}

/** Creates a user with the given password; the email must be unused. */
export async function createUser(
  caller: Caller,
  input: { email: string; name: string; role: Role; password: string },
  ctx: Ctx,
) {
  requireRole(caller, "admin");
  const email = input.email.trim().toLowerCase();
  const problem = passwordProblem(input.password, email);
  if (problem) throw new AppError("invalid", problem, { fieldErrors: { password: [problem] } });
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name: input.name.trim(), role: input.role, passwordHash }, select: publicUser });
      await recordAudit(tx, { actor: actor(caller), action: "user.create", targetType: "user", targetId: user.id, targetLabel: email, ip: ctx.ip, details: { role: input.role } });
      return user;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
      throw new AppError("conflict", `A user with email "${email}" already exists`, { fieldErrors: { email: ["This email is already in use"] } });
    throw err;
  }
}

/** Fails when the change would leave no active admin. Runs inside the transaction making the change. */
async function assertAnotherActiveAdmin(tx: Prisma.TransactionClient, userId: string) {
  const target = await tx.user.findUnique({ where: { id: userId }, select: { role: true, disabled: true } });
  if (!target || target.role !== "admin" || target.disabled) return;
  await tx.$executeRaw`SELECT 1 FROM "User" WHERE role = 'admin' FOR UPDATE`;
  const others = await tx.user.count({ where: { role: "admin", disabled: false, id: { not: userId } } });
  if (others === 0) throw new AppError("conflict", "This is the last active admin: make another admin first");
}

async function loadTarget(tx: Prisma.TransactionClient, id: string) {
  const user = await tx.user.findUnique({ where: { id }, select: { id: true, email: true, role: true, disabled: true } });
  if (!user) throw new AppError("not_found", "No such user");
  return user;
}

/** Changes a user's role; the last active admin keeps theirs. */
export async function changeRole(caller: Caller, id: string, role: Role, ctx: Ctx) {
  requireRole(caller, "admin");
  await db().$transaction(async (tx) => {
    const user = await loadTarget(tx, id);
    if (user.role === role) return;
    if (role !== "admin") await assertAnotherActiveAdmin(tx, id);
    await tx.user.update({ where: { id }, data: { role } });
    await recordAudit(tx, { actor: actor(caller), action: "user.role", targetType: "user", targetId: id, targetLabel: user.email, ip: ctx.ip, details: { from: user.role, to: role } });
  });
}

/** Disables (sessions and tokens stop at once) or enables a user. */
export async function setDisabled(caller: Caller, id: string, disabled: boolean, ctx: Ctx) {
  requireRole(caller, "admin");
  await db().$transaction(async (tx) => {
    const user = await loadTarget(tx, id);
    if (user.disabled === disabled) return;
    if (disabled) await assertAnotherActiveAdmin(tx, id);
    await tx.user.update({ where: { id }, data: { disabled, ...(disabled ? { sessionVersion: { increment: 1 } } : {}) } });
    await recordAudit(tx, { actor: actor(caller), action: disabled ? "user.disable" : "user.enable", targetType: "user", targetId: id, targetLabel: user.email, ip: ctx.ip });
  });
}

/** Sets a new password chosen by an admin; the user's sessions end. */
export async function resetPassword(caller: Caller, id: string, password: string, ctx: Ctx) {
  requireRole(caller, "admin");
  const user = await db().user.findUnique({ where: { id }, select: { email: true } });
  if (!user) throw new AppError("not_found", "No such user");
  const problem = passwordProblem(password, user.email);
  if (problem) throw new AppError("invalid", problem, { fieldErrors: { password: [problem] } });
  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await recordAudit(tx, { actor: actor(caller), action: "user.password.reset", targetType: "user", targetId: id, targetLabel: user.email, ip: ctx.ip });
  });
}

/** Deletes a user after the admin typed their email; the last active admin cannot go. */
export async function deleteUser(caller: Caller, id: string, confirmation: string, ctx: Ctx) {
  requireRole(caller, "admin");
  await db().$transaction(async (tx) => {
    const user = await loadTarget(tx, id);
    if (confirmation.trim().toLowerCase() !== user.email)
      throw new AppError("invalid", `Type "${user.email}" to confirm`, { fieldErrors: { confirm: [`Type "${user.email}" to confirm`] } });
    await assertAnotherActiveAdmin(tx, id);
    await tx.user.delete({ where: { id } });
    await recordAudit(tx, { actor: actor(caller), action: "user.delete", targetType: "user", targetId: id, targetLabel: user.email, ip: ctx.ip });
  });
}

/** Replaces the set of hosts an operator or viewer may see. */
export async function assignHosts(caller: Caller, id: string, hostIds: string[], ctx: Ctx) {
  requireRole(caller, "admin");
  await db().$transaction(async (tx) => {
    const user = await loadTarget(tx, id);
    const found = await tx.host.count({ where: { id: { in: hostIds } } });
    if (found !== new Set(hostIds).size) throw new AppError("invalid", "Some of the chosen hosts do not exist");
    await tx.hostAssignment.deleteMany({ where: { userId: id } });
    if (hostIds.length) await tx.hostAssignment.createMany({ data: [...new Set(hostIds)].map((hostId) => ({ userId: id, hostId })) });
    await recordAudit(tx, { actor: actor(caller), action: "user.hosts", targetType: "user", targetId: id, targetLabel: user.email, ip: ctx.ip, details: { hostIds } });
  });
}

/** A user changes their own password; the current one is required. Other sessions end. */
export async function changeOwnPassword(caller: Caller, current: string, next: string, ctx: Ctx) {
  const user = await db().user.findUniqueOrThrow({ where: { id: caller.id }, select: { passwordHash: true, email: true } });
  if (!(await verifyPassword(current, user.passwordHash)))
    throw new AppError("invalid", "The current password is wrong", { fieldErrors: { current: ["The current password is wrong"] } });
  const problem = passwordProblem(next, user.email);
  if (problem) throw new AppError("invalid", problem, { fieldErrors: { password: [problem] } });
  const passwordHash = await hashPassword(next);
  return db().$transaction(async (tx) => {
    const u = await tx.user.update({ where: { id: caller.id }, data: { passwordHash, sessionVersion: { increment: 1 } }, select: { sessionVersion: true } });
    await recordAudit(tx, { actor: actor(caller), action: "user.password.change", targetType: "user", targetId: caller.id, targetLabel: user.email, ip: ctx.ip });
    return u.sessionVersion;
  });
}

const HOST_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The hosts assigned to a user (admins only), by name. 404 for an unknown user. */
export async function userHosts(caller: Caller, id: string) {
  requireRole(caller, "admin");
  if (!HOST_UUID.test(id)) throw new AppError("not_found", "No such user");
  const user = await db().user.findUnique({
    where: { id },
    select: { id: true, email: true, role: true, hosts: { select: { host: { select: { id: true, name: true } } }, orderBy: { host: { name: "asc" } } } },
  });
  if (!user) throw new AppError("not_found", "No such user");
  return { id: user.id, email: user.email, role: user.role, hosts: user.hosts.map((h) => h.host) };
}

/** Replaces a user's hosts given ids or names (see assignHosts); 400 naming every unknown one. */
export async function assignHostsByRef(caller: Caller, id: string, refs: string[], ctx: Ctx) {
  requireRole(caller, "admin");
  if (!HOST_UUID.test(id)) throw new AppError("not_found", "No such user");
  const wanted = [...new Set(refs.map((r) => r.trim()))];
  const ids = wanted.filter((r) => HOST_UUID.test(r));
  const found = await db().host.findMany({ where: { OR: [{ name: { in: wanted } }, { id: { in: ids } }] }, select: { id: true, name: true } });
  const missing = wanted.filter((r) => !found.some((h) => h.id === r.toLowerCase() || h.name === r));
  if (missing.length) {
    throw new AppError("invalid", `No such host: ${missing.map((m) => `"${m}"`).join(", ")}`, { fieldErrors: { hosts: missing.map((m) => `No host "${m}"`) } });
  }
  await assignHosts(caller, id, [...new Set(found.filter((h) => wanted.some((r) => h.id === r.toLowerCase() || h.name === r)).map((h) => h.id))], ctx);
  return userHosts(caller, id);
}
