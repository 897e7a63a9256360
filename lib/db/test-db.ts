// Fresh, migrated databases for integration tests: a new `strata_test_<random>` database on the
// server at DATABASE_URL (or the local PostgreSQL), else an embedded PGlite cloned from a template.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { checkDatabaseReachable, createPrismaClient } from "./client";
import { startEmbeddedDatabase } from "./embedded";
import { applyMigrations } from "./migrate";

/** The server tests use when DATABASE_URL is unset (PostgreSQL on this machine, trust auth). */
export const LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  /** URL of the fresh database. */
  url: string;
  /** A client connected to it. */
  prisma: PrismaClient;
  /** "server" (a database on PostgreSQL) or "embedded" (a PGlite of its own). */
  kind: "server" | "embedded";
  /** Disconnects and drops the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Server to create the database on; null forces an embedded PGlite. Default: see module comment. */
  serverUrl?: string | null;
  /** Apply prisma/migrations (default true). */
  migrate?: boolean;
}

/** Creates a fresh database for one test file or test; call drop() when done. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl === undefined ? await defaultServerUrl() : options.serverUrl;
  const migrate = options.migrate ?? true;
  return serverUrl ? createOnServer(serverUrl, migrate) : createEmbedded(migrate);
}

async function defaultServerUrl(): Promise<string | null> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    await checkDatabaseReachable(LOCAL_POSTGRES_URL, 2_000);
    return LOCAL_POSTGRES_URL;
  } catch {
    return null;
  }
}

/** The URL of database `name` on the same server, user and options as `serverUrl`. */
export function withDatabaseName(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onServer<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function createOnServer(serverUrl: string, migrate: boolean): Promise<TestDatabase> {
  const name = `strata_test_${randomBytes(6).toString("hex")}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabaseName(serverUrl, name);
  try {
    if (migrate) await applyMigrations(url);
  } catch (err) {
    await onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
    throw err;
  }
  const prisma = createPrismaClient(url, { poolMax: 4 });
  return {
    url,
    prisma,
    kind: "server",
    drop: async () => {
      await prisma.$disconnect().catch(() => {});
      await onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

// initdb takes 7-15 s, so each process does it once (migrated) and clones the dump afterwards.
const templates = new Map<boolean, Promise<Blob>>();

function embeddedTemplate(migrate: boolean): Promise<Blob> {
  let template = templates.get(migrate);
  if (!template) {
    template = (async () => {
      const e = await startEmbeddedDatabase();
      try {
        if (migrate) await applyMigrations(e.url);
        return await e.db.dumpDataDir("none");
      } finally {
        await e.stop();
      }
    })();
    template.catch(() => templates.delete(migrate));
    templates.set(migrate, template);
  }
  return template;
}

async function createEmbedded(migrate: boolean): Promise<TestDatabase> {
  const e = await startEmbeddedDatabase({ loadDataDir: await embeddedTemplate(migrate) });
  const prisma = createPrismaClient(e.url);
  return {
    url: e.url,
    prisma,
    kind: "embedded",
    drop: async () => {
      await prisma.$disconnect().catch(() => {});
      await e.stop();
    },
  };
}

/**
 * A fresh test database with the console's environment (DATABASE_URL, NEXTAUTH_SECRET, STRATA_SECRET_KEY) pointing
 * at it, for tests of lib/data: import lib/data modules only after this resolves.
 */
export async function createConsoleTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const { randomBytes } = await import("node:crypto");
  const tdb = await createTestDatabase(options);
  process.env.DATABASE_URL = tdb.url;
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
  process.env.STRATA_SECRET_KEY ??= randomBytes(32).toString("hex");
  return tdb;
}
