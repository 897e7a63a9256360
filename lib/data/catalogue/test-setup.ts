// Test setup shared by catalogue tests: a fresh database, an admin, two viewers (one assigned to the host),
// an agent, a host and an empty mirror repository row.
import { randomBytes } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";

export interface CatalogueTestEnv {
  tdb: TestDatabase;
  admin: Caller;
  viewer: Caller;
  outsider: Caller;
  agentId: string;
  agentToken: string;
  hostId: string;
  /** Makes a repository row (on the shared host unless `hostId: null`). */
  makeRepo(name: string, opts?: { hostId?: string | null; format?: "mirror" | "archive"; path?: string }): Promise<string>;
}

/** Creates the database and sets the environment before any lib/data module is imported. */
export async function setupCatalogueTest(): Promise<CatalogueTestEnv> {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  // STRATA_TEST_EMBEDDED=1 runs the catalogue tests on the embedded PGlite `npm start` uses without a server.
  // It serves one connection at a time, so the test's own client is then the console's (lib/db, one connection).
  let tdb = await createConsoleTestDatabase(process.env.STRATA_TEST_EMBEDDED === "1" ? { serverUrl: null } : {});
  if (tdb.kind === "embedded") {
    await tdb.prisma.$disconnect();
    tdb = { ...tdb, prisma: (await import("@/lib/db")).db() };
  }
  const { hashToken } = await import("@/lib/auth/tokens");
  const p = tdb.prisma;
  const user = async (email: string, role: Caller["role"]): Promise<Caller> => {
    const u = await p.user.create({ data: { email, name: email, role, passwordHash: "x" } });
    return { id: u.id, email, name: email, role, via: "session" };
  };
  const admin = await user("admin@example.org", "admin");
  const viewer = await user("viewer@example.org", "viewer");
  const outsider = await user("outsider@example.org", "viewer");
  const agentToken = `agent_${randomBytes(16).toString("hex")}`;
  const agent = await p.agent.create({ data: { name: "agent1", tokenHash: hashToken(agentToken), secretEnc: "unused" } });
  const host = await p.host.create({ data: { name: "web1", address: "192.0.2.10", agentId: agent.id } });
  await p.hostAssignment.create({ data: { userId: viewer.id, hostId: host.id } });
  const makeRepo: CatalogueTestEnv["makeRepo"] = async (name, opts = {}) => {
    const r = await p.repository.create({
      data: { name, format: opts.format ?? "mirror", agentId: agent.id, path: opts.path ?? `/srv/backups/${name}`, hostId: opts.hostId === undefined ? host.id : opts.hostId },
    });
    return r.id;
  };
  return { tdb, admin, viewer, outsider, agentId: agent.id, agentToken, hostId: host.id, makeRepo };
}
