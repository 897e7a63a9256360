// createTestDatabase: isolated, migrated databases on the server, and the embedded fallback.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { readMigrations } from "./migrate";
import { createTestDatabase, LOCAL_POSTGRES_URL } from "./test-db";

async function databaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL ?? LOCAL_POSTGRES_URL });
  await c.connect();
  try {
    return (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}

describe("createTestDatabase", () => {
  it("gives each caller its own migrated database on the server and drops it", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.kind).toBe("server");
    const nameA = new URL(a.url).pathname.slice(1);
    expect(nameA).toMatch(/^strata_test_[0-9a-f]{12}$/);
    await a.prisma.user.create({ data: { email: "only-in-a@example.org", name: "A", passwordHash: "h" } });
    expect(await b.prisma.user.count()).toBe(0);
    expect(await a.prisma.user.count()).toBe(1);
    await Promise.all([a.drop(), b.drop()]);
    expect(await databaseExists(nameA)).toBe(false);
  });

  it("falls back to embedded PGlite databases cloned from one migrated template", async () => {
    const a = await createTestDatabase({ serverUrl: null });
    const b = await createTestDatabase({ serverUrl: null });
    try {
      expect([a.kind, b.kind]).toEqual(["embedded", "embedded"]);
      expect(a.url).not.toBe(b.url);
      const applied = await a.prisma.$queryRawUnsafe<{ migration_name: string }[]>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`);
      expect(applied.map((r) => r.migration_name)).toEqual((await readMigrations()).map((m) => m.name));
      await a.prisma.host.create({ data: { name: "only-in-a", address: "local" } });
      expect(await b.prisma.host.count()).toBe(0);
      expect(await a.prisma.host.count()).toBe(1);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
