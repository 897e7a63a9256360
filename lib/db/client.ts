// Prisma clients over @prisma/adapter-pg, and the start-up reachability check that turns
// connection failures into one readable line. Free of `server-only`: scripts import it too.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

/** `application_name` the embedded database's URL carries, so every process can recognise it. */
export const EMBEDDED_APPLICATION_NAME = "strata-embedded";

/** True when the URL points at the embedded PGlite socket (which serves one connection at a time). */
export function isEmbeddedDatabaseUrl(url: string): boolean {
  try {
    return new URL(url).searchParams.get("application_name") === EMBEDDED_APPLICATION_NAME;
  } catch {
    return false;
  }
}

export interface PrismaClientOptions {
  /** Pool size; defaults to 1 for the embedded database and 10 otherwise. */
  poolMax?: number;
}

/** A Prisma client for `url`; the embedded database gets a one-connection pool. */
export function createPrismaClient(url: string, options: PrismaClientOptions = {}): PrismaClient {
  const max = options.poolMax ?? (isEmbeddedDatabaseUrl(url) ? 1 : 10);
  const adapter = new PrismaPg({ connectionString: url, max });
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 15_000 } });
}

/** The URL without user, password or query: `postgresql://host:port/db`, safe to print. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || "5432";
    return `${u.protocol}//${u.hostname}:${port}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Thrown when the database cannot be reached; its message is one line without secrets. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, reason: string, cause?: unknown) {
    super(`Cannot reach the database at "${describeDatabaseUrl(url)}": ${reason}`, { cause });
    this.name = "DatabaseUnreachableError";
  }
}

/** A short human reason for a pg connection error (no password, no stack). */
export function connectionFailureReason(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: unknown[] };
  if (e?.code === undefined && Array.isArray(e?.errors) && e.errors.length > 0) {
    return connectionFailureReason(e.errors[0]);
  }
  switch (e?.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ECONNRESET":
      return "connection reset by the server";
    case "28P01":
    case "28000":
      return "authentication failed";
    case "3D000":
      return "the database does not exist";
    case "57P03":
      return "the server is starting up or shutting down";
  }
  const message = (e?.message ?? String(err)).split("\n")[0];
  if (/timeout/i.test(message)) return "connection timed out";
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** Connects once and runs `SELECT 1`; throws DatabaseUnreachableError with one clear line. */
export async function checkDatabaseReachable(url: string, timeoutMs = 5_000): Promise<void> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  } catch (err) {
    throw new DatabaseUnreachableError(url, "the URL is not a valid PostgreSQL connection string", err);
  }
  client.on("error", () => {}); // a late socket error must not crash the process
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new DatabaseUnreachableError(url, connectionFailureReason(err), err);
  } finally {
    await client.end().catch(() => {});
  }
}
