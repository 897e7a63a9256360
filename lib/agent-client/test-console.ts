// Test setup for the console's download routes: a real mirror repository served by a real data-plane
// server in-process, a fresh database with the agent, host, users, Bearer tokens, and the catalogue
// filled from the agent's versions stream (through streamVersions).
import { randomBytes } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import { startDataPlane, type DataPlane } from "@/agent/server";
import { makeMirrorFixture, type MirrorFixture } from "@/agent/server/test-fixture";

export interface DownloadTestEnv {
  tdb: TestDatabase;
  fx: MirrorFixture;
  plane: DataPlane;
  repoId: string;
  /** Bearer tokens: an admin, a viewer assigned to the host, a viewer without assignment. */
  tokens: { admin: string; viewer: string; outsider: string };
  close(): Promise<void>;
}

/** Sets the environment, then builds everything (import lib/data modules only after this). */
export async function setupDownloadTest(): Promise<DownloadTestEnv> {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  const tdb = await createConsoleTestDatabase();
  const { hashToken } = await import("@/lib/auth/tokens");
  const { encryptSecret } = await import("@/lib/crypto/secrets");
  const fx = makeMirrorFixture();
  const secret = randomBytes(32).toString("base64url");
  const plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [fx.root], secret: () => secret });
  const p = tdb.prisma;
  const agent = await p.agent.create({ data: { name: "local", tokenHash: hashToken(randomBytes(8).toString("hex")), secretEnc: encryptSecret(secret), url: plane.url } });
  const host = await p.host.create({ data: { name: "web1", address: "local", agentId: agent.id } });
  const tokens = { admin: "", viewer: "", outsider: "" };
  for (const [key, role] of [["admin", "admin"], ["viewer", "viewer"], ["outsider", "viewer"]] as const) {
    const u = await p.user.create({ data: { email: `${key}@example.org`, name: key, role, passwordHash: "x" } });
    if (key === "viewer") await p.hostAssignment.create({ data: { userId: u.id, hostId: host.id } });
    tokens[key] = `pat_${randomBytes(16).toString("hex")}`;
    await p.apiToken.create({ data: { userId: u.id, name: "test", tokenHash: hashToken(tokens[key]), prefix: tokens[key].slice(0, 8) } });
  }
  const repo = await p.repository.create({ data: { name: "web1", format: "mirror", agentId: agent.id, path: fx.repo, hostId: host.id } });
  await fillCatalogue(repo.id, { url: plane.url, secretEnc: agent.secretEnc, name: agent.name }, fx.repo, tdb);
  return {
    tdb, fx, plane, repoId: repo.id, tokens,
    close: async () => {
      await plane.close();
      const { db } = await import("@/lib/db");
      await db().$disconnect();
      await tdb.drop();
      fx.cleanup();
    },
  };
}

/** Increment and FileVersion rows from the agent's versions stream (row by row: tests only). */
async function fillCatalogue(repositoryId: string, agent: { url: string; secretEnc: string; name: string }, repoPath: string, tdb: TestDatabase) {
  const { streamVersions } = await import("@/lib/agent-client");
  const p = tdb.prisma;
  let time = new Date(0);
  for await (const v of streamVersions(agent, { repoPath, format: "mirror" })) {
    if ("kind" in v) {
      time = new Date(v.time * 1000);
      await p.increment.create({ data: { repositoryId, time, kind: "mirror" } });
      continue;
    }
    await p.fileVersion.updateMany({ where: { repositoryId, path: v.path, validUntil: null }, data: { validUntil: time } });
    if (v.change === "deleted") continue;
    const slash = v.path.lastIndexOf("/");
    await p.fileVersion.create({
      data: {
        repositoryId, path: v.path, parent: v.path === "" ? "/" : slash < 0 ? "" : v.path.slice(0, slash), name: v.path.slice(slash + 1),
        type: v.type, size: BigInt(v.size ?? 0), mtime: v.mtime !== undefined ? new Date(v.mtime * 1000) : null, mode: v.mode ?? null,
        digest: v.sha1 ?? null, linkTarget: v.linkTarget ?? null, validFrom: time,
      },
    });
  }
}
