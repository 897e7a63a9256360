// The users data layer on real PostgreSQL: role checks, the last-admin guard, validation that writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";

let tdb: TestDatabase;
let users: typeof import("@/lib/data/users");
let audit: typeof import("@/lib/data/audit");
let admin: Caller;
const ctx = { ip: "192.0.2.1" };
const strong = "Correct-horse-42";

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  users = await import("@/lib/data/users");
  audit = await import("@/lib/data/audit");
  const { ensureFirstAdmin } = await import("@/lib/data/bootstrap");
  const first = await ensureFirstAdmin(tdb.prisma, "root@example.org", undefined);
  if (!first.created) throw new Error("first admin not created");
  const row = await tdb.prisma.user.findUniqueOrThrow({ where: { email: "root@example.org" } });
  admin = { id: row.id, email: row.email, name: row.name, role: "admin", via: "session" };
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

function asCaller(u: { id: string; email: string; name: string; role: Caller["role"] }): Caller {
  return { ...u, via: "session" };
}

describe("users data layer", () => {
  it("creates a user, lower-cases the email and audits who did it from where", async () => {
    const u = await users.createUser(admin, { email: "Alice@Example.org", name: "Alice", role: "viewer", password: strong }, ctx);
    expect(u.email).toBe("alice@example.org");
    const events = await audit.listAudit(admin, { action: "user.create", target: "alice@" });
    expect(events.rows[0]).toMatchObject({ actorEmail: "root@example.org", ip: "192.0.2.1", targetLabel: "alice@example.org" });
  });

  it("refuses a duplicate email and a weak password with field errors, writing nothing", async () => {
    const before = await tdb.prisma.user.count();
    await expect(users.createUser(admin, { email: "alice@example.org", name: "A2", role: "viewer", password: strong }, ctx)).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { email: ["This email is already in use"] },
    });
    await expect(users.createUser(admin, { email: "bob@example.org", name: "Bob", role: "viewer", password: "short" }, ctx)).rejects.toMatchObject({ code: "invalid" });
    await expect(users.createUser(admin, { email: "bob@example.org", name: "Bob", role: "viewer", password: "onlyletterslong" }, ctx)).rejects.toThrow(/two of/);
    expect(await tdb.prisma.user.count()).toBe(before);
  });

  it("lets only admins manage users", async () => {
    const v = await users.createUser(admin, { email: "viewer@example.org", name: "V", role: "viewer", password: strong }, ctx);
    const o = await users.createUser(admin, { email: "op@example.org", name: "O", role: "operator", password: strong }, ctx);
    for (const caller of [asCaller(v), asCaller(o)]) {
      await expect(users.listUsers(caller)).rejects.toMatchObject({ code: "forbidden" });
      await expect(users.createUser(caller, { email: "x@example.org", name: "X", role: "admin", password: strong }, ctx)).rejects.toMatchObject({ code: "forbidden" });
      await expect(users.changeRole(caller, caller.id, "admin", ctx)).rejects.toMatchObject({ code: "forbidden" });
      await expect(users.setDisabled(caller, admin.id, true, ctx)).rejects.toMatchObject({ code: "forbidden" });
      await expect(users.resetPassword(caller, admin.id, strong, ctx)).rejects.toMatchObject({ code: "forbidden" });
      await expect(users.deleteUser(caller, admin.id, admin.email, ctx)).rejects.toMatchObject({ code: "forbidden" });
      await expect(users.assignHosts(caller, caller.id, [], ctx)).rejects.toMatchObject({ code: "forbidden" });
      await expect(audit.listAudit(caller, {})).rejects.toMatchObject({ code: "forbidden" });
    }
    expect((await tdb.prisma.user.findUniqueOrThrow({ where: { id: v.id } })).role).toBe("viewer");
  });

  it("never leaves the catalogue without an active admin", async () => {
    await expect(users.changeRole(admin, admin.id, "viewer", ctx)).rejects.toThrow(/last active admin/);
    await expect(users.setDisabled(admin, admin.id, true, ctx)).rejects.toThrow(/last active admin/);
    await expect(users.deleteUser(admin, admin.id, admin.email, ctx)).rejects.toThrow(/last active admin/);
    const second = await users.createUser(admin, { email: "admin2@example.org", name: "A2", role: "admin", password: strong }, ctx);
    await users.setDisabled(admin, second.id, true, ctx);
    await expect(users.changeRole(admin, admin.id, "operator", ctx)).rejects.toThrow(/last active admin/);
    await users.setDisabled(admin, second.id, false, ctx);
    await users.changeRole(admin, admin.id, "operator", ctx);
    expect((await tdb.prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("operator");
    await users.changeRole(asCaller({ ...second, role: "admin" }), admin.id, "admin", ctx);
  });

  it("disabling or resetting a password ends the user's sessions (session version bumps)", async () => {
    const u = await users.createUser(admin, { email: "carol@example.org", name: "C", role: "viewer", password: strong }, ctx);
    const v0 = (await tdb.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion;
    await users.setDisabled(admin, u.id, true, ctx);
    const v1 = (await tdb.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion;
    await users.resetPassword(admin, u.id, "Another-strong-1", ctx);
    const v2 = (await tdb.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion;
    expect(v1).toBeGreaterThan(v0);
    expect(v2).toBeGreaterThan(v1);
  });

  it("deletes only after the email is typed, and assigns only existing hosts", async () => {
    const u = await users.createUser(admin, { email: "dave@example.org", name: "D", role: "operator", password: strong }, ctx);
    await expect(users.deleteUser(admin, u.id, "nope", ctx)).rejects.toMatchObject({ code: "invalid" });
    const host = await tdb.prisma.host.create({ data: { name: `h-${randomBytes(3).toString("hex")}`, address: "10.0.0.5" } });
    await users.assignHosts(admin, u.id, [host.id], ctx);
    expect(await tdb.prisma.hostAssignment.count({ where: { userId: u.id } })).toBe(1);
    await expect(users.assignHosts(admin, u.id, ["00000000-0000-4000-8000-000000000000"], ctx)).rejects.toMatchObject({ code: "invalid" });
    expect(await tdb.prisma.hostAssignment.count({ where: { userId: u.id } })).toBe(1);
    await users.deleteUser(admin, u.id, "DAVE@example.org", ctx);
    expect(await tdb.prisma.user.findUnique({ where: { id: u.id } })).toBeNull();
  });

  it("changes one's own password only with the current one", async () => {
    const u = await users.createUser(admin, { email: "erin@example.org", name: "E", role: "viewer", password: strong }, ctx);
    const me = asCaller(u);
    await expect(users.changeOwnPassword(me, "wrong", "Brand-new-pass-9", ctx)).rejects.toMatchObject({ fieldErrors: { current: ["The current password is wrong"] } });
    await users.changeOwnPassword(me, strong, "Brand-new-pass-9", ctx);
    const { verifyPassword } = await import("@/lib/auth/password");
    const row = await tdb.prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(await verifyPassword("Brand-new-pass-9", row.passwordHash)).toBe(true);
  });
});
