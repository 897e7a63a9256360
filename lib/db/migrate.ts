// Applies prisma/migrations the way `prisma migrate deploy` does and records them in Prisma's
// own `_prisma_migrations` table, so the real Prisma CLI sees the same history.
// See docs/decisions/0002-hand-written-migrations.md for the rules this follows.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { DatabaseUnreachableError, connectionFailureReason, describeDatabaseUrl } from "./client";

/** Prisma's advisory lock id for migrations (prisma-engines `advisory_lock`). */
export const PRISMA_MIGRATION_LOCK_ID = 72707369;

/** Exactly the table `prisma migrate` creates on PostgreSQL (prisma-engines `create_migrations_table`). */
export const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

/** One migration folder: `<timestamp>_<name>/migration.sql`. */
export interface Migration {
  name: string;
  sql: string;
  /** Lowercase hex SHA-256 of migration.sql's bytes, as Prisma computes it. */
  checksum: string;
}

export interface MigrateOptions {
  /** Folder of migrations; defaults to `prisma/migrations` under the working directory. */
  migrationsDir?: string;
  /** How long to wait for another process holding the migration lock (default 60 s). */
  lockTimeoutMs?: number;
  /** Receives one line per notable event (applied, warnings). */
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations that were already applied before this call. */
  alreadyApplied: string[];
}

/** A migration could not be applied; `code` is the Prisma error it corresponds to. */
export class MigrationError extends Error {
  constructor(
    readonly code: "P3005" | "P3009" | "P3018" | "P3019" | "LOCK_TIMEOUT" | "NO_MIGRATIONS",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MigrationError";
  }
}

/** The default migrations folder (`prisma/migrations` under the working directory). */
export function defaultMigrationsDir(): string {
  return path.resolve("prisma", "migrations");
}

/** Reads the migration folders in name order, as Prisma does, and checks migration_lock.toml. */
export async function readMigrations(dir: string = defaultMigrationsDir()): Promise<Migration[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new MigrationError("NO_MIGRATIONS", `Cannot read migrations folder "${dir}": ${(err as Error).message}`, { cause: err });
  }
  await checkLockFile(dir);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const file = path.join(dir, name, "migration.sql");
    const bytes = await fs.readFile(file).catch((err: Error) => {
      throw new MigrationError("NO_MIGRATIONS", `Cannot read migration "${name}": ${err.message}`, { cause: err });
    });
    migrations.push({ name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") });
  }
  return migrations;
}

async function checkLockFile(dir: string): Promise<void> {
  const text = await fs.readFile(path.join(dir, "migration_lock.toml"), "utf8").catch(() => null);
  const provider = text?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== undefined && provider !== "postgresql") {
    throw new MigrationError(
      "P3019",
      `Cannot use migrations in "${dir}": migration_lock.toml names provider "${provider}", not "postgresql"`,
    );
  }
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** Applies every migration not yet recorded in `_prisma_migrations`; see MigrateResult. */
export async function applyMigrations(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await readMigrations(options.migrationsDir);
  const log = options.log ?? (() => {});
  const where = describeDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new DatabaseUnreachableError(url, connectionFailureReason(err), err);
  }
  try {
    await acquireLock(client, where, options.lockTimeoutMs ?? 60_000);
    try {
      const rows = await readHistory(client, where);
      refuseFailedMigrations(rows, where);
      const done = new Set(rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name));
      warnAboutDrift(rows, migrations, log);
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        if (done.has(migration.name)) {
          result.alreadyApplied.push(migration.name);
          continue;
        }
        await applyOne(client, migration, where);
        log(`Applied migration ${migration.name}`);
        result.applied.push(migration.name);
      }
      return result;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATION_LOCK_ID})`).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function acquireLock(client: pg.Client, where: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(${PRISMA_MIGRATION_LOCK_ID}) AS ok`);
    if (rows[0].ok) return;
    if (Date.now() > deadline) {
      throw new MigrationError(
        "LOCK_TIMEOUT",
        `Cannot apply migrations to "${where}": another process held the migration lock (pg_advisory_lock ${PRISMA_MIGRATION_LOCK_ID}) for ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Creates `_prisma_migrations` on an empty schema and returns its rows, oldest first. */
async function readHistory(client: pg.Client, where: string): Promise<MigrationRow[]> {
  const { rows: tables } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
  );
  if (!tables.some((t) => t.table_name === "_prisma_migrations")) {
    if (tables.length > 0) {
      throw new MigrationError(
        "P3005",
        `Cannot apply migrations to "${where}": the database already has tables (${tables.length}) but no _prisma_migrations history; use an empty database or baseline it (prisma migrate resolve --applied)`,
      );
    }
    await client.query(CREATE_MIGRATIONS_TABLE_SQL);
  }
  const { rows } = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM "_prisma_migrations" ORDER BY started_at ASC`,
  );
  return rows;
}

/** Like `prisma migrate deploy` (P3009): an unfinished, not rolled back row stops everything. */
function refuseFailedMigrations(rows: MigrationRow[], where: string): void {
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (!failed) return;
  const name = failed.migration_name;
  const cause = failed.logs ? ` (${failed.logs.split("\n")[0]})` : "";
  throw new MigrationError(
    "P3009",
    `Cannot apply migrations to "${where}": migration "${name}" started at ${failed.started_at.toISOString()} failed${cause} and new migrations will not be applied (P3009). ` +
      `Repair the database by hand, then mark it rolled back with \`prisma migrate resolve --rolled-back "${name}"\` ` +
      `or \`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${name}'\`, and run again`,
  );
}

function warnAboutDrift(rows: MigrationRow[], migrations: Migration[], log: (line: string) => void): void {
  const local = new Map(migrations.map((m) => [m.name, m]));
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    const m = local.get(row.migration_name);
    if (!m) log(`Warning: migration ${row.migration_name} is recorded in the database but missing from the migrations folder`);
    else if (m.checksum !== row.checksum) log(`Warning: migration ${row.migration_name} was edited after it was applied (checksum differs)`);
  }
}

/** Records the start, runs the script (simple-query protocol) and records the finish in one transaction. */
async function applyOne(client: pg.Client, migration: Migration, where: string): Promise<void> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await client.query("BEGIN");
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    const reason = describeSqlError(err);
    await client
      .query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, `Migration ${migration.name} failed: ${reason}`])
      .catch(() => {});
    throw new MigrationError("P3018", `Cannot apply migration "${migration.name}" to "${where}": ${reason}`, { cause: err });
  }
}

function describeSqlError(err: unknown): string {
  const e = err as { message?: string; code?: string; position?: string };
  const at = e.position ? ` at character ${e.position}` : "";
  const code = e.code ? ` [${e.code}]` : "";
  return `${e.message ?? String(err)}${code}${at}`;
}
