// The migration runner against real PostgreSQL: Prisma-compatible history, idempotence,
// failed migrations blocking later runs, and the guards `prisma migrate deploy` also has.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, defaultMigrationsDir, MigrationError, readMigrations } from "./migrate";
import { createTestDatabase, type TestDatabase } from "./test-db";

const dbs: TestDatabase[] = [];
let tmp: string;

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  dbs.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** A copy of the real migrations plus extra folders, in a temp dir. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmp, "migrations-"));
  await fs.cp(defaultMigrationsDir(), dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await fs.mkdir(path.join(dir, name));
    await fs.writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "strata-migrate-"));
});
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.drop()));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("applyMigrations", () => {
  it("applies every migration to an empty database, then applies nothing on the second run", async () => {
    const db = await emptyDatabase();
    const names = (await readMigrations()).map((m) => m.name);
    expect(names.length).toBeGreaterThanOrEqual(2);

    const first = await applyMigrations(db.url);
    expect(first).toEqual({ applied: names, alreadyApplied: [] });
    const tables = await query<{ n: string }>(db.url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'");
    expect(Number(tables[0].n)).toBe(14); // 13 models + _prisma_migrations

    const second = await applyMigrations(db.url);
    expect(second).toEqual({ applied: [], alreadyApplied: names });
    const rows = await query(db.url, `SELECT * FROM "_prisma_migrations"`);
    expect(rows).toHaveLength(names.length);
  });

  it("records history exactly as Prisma does: same table, sha256sum checksums, v4 ids", async () => {
    const db = await emptyDatabase();
    await applyMigrations(db.url);
    const columns = await query(
      db.url,
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", len: 36, is_nullable: "NO", column_default: null },
      { column_name: "checksum", data_type: "character varying", len: 64, is_nullable: "NO", column_default: null },
      { column_name: "finished_at", data_type: "timestamp with time zone", len: null, is_nullable: "YES", column_default: null },
      { column_name: "migration_name", data_type: "character varying", len: 255, is_nullable: "NO", column_default: null },
      { column_name: "logs", data_type: "text", len: null, is_nullable: "YES", column_default: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", len: null, is_nullable: "YES", column_default: null },
      { column_name: "started_at", data_type: "timestamp with time zone", len: null, is_nullable: "NO", column_default: "now()" },
      { column_name: "applied_steps_count", data_type: "integer", len: null, is_nullable: "NO", column_default: "0" },
    ]);
    const indexes = await query<{ indexname: string }>(db.url, `SELECT indexname FROM pg_indexes WHERE tablename = '_prisma_migrations'`);
    expect(indexes.map((i) => i.indexname)).toEqual(["_prisma_migrations_pkey"]);

    const rows = await query<Record<string, unknown>>(db.url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    for (const row of rows) {
      const file = path.join(defaultMigrationsDir(), String(row.migration_name), "migration.sql");
      const sha256sum = execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];
      expect(row.checksum).toBe(sha256sum);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });
      expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
    }
  });

  it("leaves a failed migration's row, rolls its changes back, and refuses the next run until it is resolved", async () => {
    const db = await emptyDatabase();
    const dir = await migrationsWith({
      "20991231000000_broken": `CREATE TABLE "Half" ("id" INTEGER);\nSELECT 1 / 0;\n`,
    });
    const failure = await applyMigrations(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).code).toBe("P3018");
    expect((failure as Error).message).toMatch(/^Cannot apply migration "20991231000000_broken" to "postgresql:\/\/127\.0\.0\.1:5432\/strata_test_\w+": division by zero/);

    const half = await query(db.url, `SELECT to_regclass('"Half"') AS t`);
    expect(half[0]).toEqual({ t: null });
    const [row] = await query<Record<string, unknown>>(db.url, `SELECT * FROM "_prisma_migrations" WHERE migration_name = '20991231000000_broken'`);
    expect(row).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(row.logs).toContain("division by zero");

    const blocked = await applyMigrations(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect((blocked as MigrationError).code).toBe("P3009");
    expect((blocked as Error).message).toContain(`migration "20991231000000_broken" started at`);
    expect((blocked as Error).message).toContain(`prisma migrate resolve --rolled-back "20991231000000_broken"`);
    expect((blocked as Error).message).not.toContain("\n");

    // Resolved the way `prisma migrate resolve --rolled-back` does it, then fixed: applied again.
    await query(db.url, `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '20991231000000_broken'`);
    await fs.writeFile(path.join(dir, "20991231000000_broken", "migration.sql"), `CREATE TABLE "Half" ("id" INTEGER);\n`);
    const retried = await applyMigrations(db.url, { migrationsDir: dir });
    expect(retried.applied).toEqual(["20991231000000_broken"]);
  });

  it("runs one migrator at a time: concurrent runs apply each migration once", async () => {
    const db = await emptyDatabase();
    const [a, b] = await Promise.all([applyMigrations(db.url), applyMigrations(db.url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual((await readMigrations()).map((m) => m.name));
    const rows = await query(db.url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows).toHaveLength(a.applied.length + b.applied.length);
  });

  it("refuses a database that has tables but no migration history (P3005)", async () => {
    const db = await emptyDatabase();
    await query(db.url, `CREATE TABLE "Something" ("id" INTEGER)`);
    const err = await applyMigrations(db.url).catch((e: unknown) => e);
    expect((err as MigrationError).code).toBe("P3005");
    expect((err as Error).message).toMatch(/^Cannot apply migrations to "postgresql:\/\/127\.0\.0\.1:5432\/strata_test_\w+": the database already has tables/);
  });
});

describe("readMigrations", () => {
  it("refuses migrations whose migration_lock.toml names another provider", async () => {
    const dir = await migrationsWith({});
    await fs.writeFile(path.join(dir, "migration_lock.toml"), `provider = "mysql"\n`);
    await expect(readMigrations(dir)).rejects.toThrow(`migration_lock.toml names provider "mysql", not "postgresql"`);
  });

  it("lists migration folders in name order with the checksum of their bytes", async () => {
    const dir = await migrationsWith({ "20000101000000_first": "SELECT 1;\r\n" });
    const migrations = await readMigrations(dir);
    expect(migrations[0]).toMatchObject({ name: "20000101000000_first", sql: "SELECT 1;\r\n" });
    const sum = execFileSync("sha256sum", [path.join(dir, "20000101000000_first", "migration.sql")], { encoding: "utf8" }).split(" ")[0];
    expect(migrations[0].checksum).toBe(sum);
  });
});
