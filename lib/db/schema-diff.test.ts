// Drift check: the hand-kept migrations build exactly the database Prisma's own schema engine
// would create from prisma/schema.prisma (compared through the PostgreSQL catalogue).
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { diffPrismaSchemas, schemaEngineVersion } from "./schema-diff";
import { createTestDatabase, type TestDatabase } from "./test-db";

const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.drop()));
});

/** Columns, enums, indexes and constraints of the public schema, minus Prisma's history table. */
async function describeCatalogue(url: string): Promise<Record<string, string[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const lines = async (sql: string) => (await c.query<{ l: string }>(sql)).rows.map((r) => r.l).sort();
  try {
    return {
      columns: await lines(`SELECT concat_ws(' ', table_name, column_name, udt_name, is_nullable, column_default) AS l
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      enums: await lines(`SELECT t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS l
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`),
      indexes: await lines(`SELECT indexdef AS l FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`),
      constraints: await lines(`SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS l
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`),
    };
  } finally {
    await c.end();
  }
}

describe("prisma/migrations", () => {
  it("build exactly what Prisma's schema engine makes of prisma/schema.prisma", async () => {
    const [fromPrisma, fromMigrations] = await Promise.all([createTestDatabase({ migrate: false }), createTestDatabase()]);
    dbs.push(fromPrisma, fromMigrations);
    const schema = await fs.readFile(path.resolve("prisma", "schema.prisma"), "utf8");
    const sql = await diffPrismaSchemas({ to: schema, url: fromPrisma.url });
    expect(sql).toContain(`CREATE TABLE "FileVersion"`);
    expect(await schemaEngineVersion()).toMatch(/\w/);

    const c = new pg.Client({ connectionString: fromPrisma.url });
    await c.connect();
    try {
      // Extensions are outside what Prisma diffs; the name-search migration creates this one.
      await c.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
      await c.query(sql);
    } finally {
      await c.end();
    }
    const [expected, actual] = await Promise.all([describeCatalogue(fromPrisma.url), describeCatalogue(fromMigrations.url)]);
    // On failure: write a migration with `npx tsx lib/db/schema-diff.ts <schema.prisma before your change>`.
    expect(actual).toEqual(expected);
    expect(expected.columns.length).toBeGreaterThan(100);
  });
});
