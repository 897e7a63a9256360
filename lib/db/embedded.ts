// The embedded PostgreSQL used when DATABASE_URL is unset: PGlite (data under <dataDir>/pg)
// served on a loopback socket, one connection at a time. A pid file keeps two processes from
// opening the same data directory; one left by a killed process is taken over.
import fs from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { EMBEDDED_APPLICATION_NAME } from "./client";

export interface EmbeddedDatabaseOptions {
  /** Strata's data directory; PostgreSQL's files go in `<dataDir>/pg`. Omitted: in memory. */
  dataDir?: string;
  /** Port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Start from this `dumpDataDir()` tarball instead of running initdb (tests). */
  loadDataDir?: Blob | File;
}

export interface EmbeddedDatabase {
  /** postgresql:// URL of the socket; recognised by isEmbeddedDatabaseUrl(). */
  url: string;
  port: number;
  /** The PGlite instance (for dumpDataDir in tests); query it only through the socket otherwise. */
  db: PGlite;
  /** Closes the socket and the database and releases the data directory. */
  stop(): Promise<void>;
}

/** The URL a client uses to reach an embedded database on `port`. */
export function embeddedDatabaseUrl(port: number): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable&application_name=${EMBEDDED_APPLICATION_NAME}`;
}

/** Starts PGlite and its socket server; see EmbeddedDatabaseOptions. */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  const pgDir = options.dataDir ? path.resolve(options.dataDir, "pg") : undefined;
  const releaseDir = pgDir ? await claimDataDir(pgDir) : async () => {};
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    db = await PGlite.create({ dataDir: pgDir, loadDataDir: options.loadDataDir, extensions: { pg_trgm } });
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: options.port ?? 0, maxConnections: 1 });
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await releaseDir();
    const where = pgDir ? `"${pgDir}"` : "in memory";
    throw new Error(`Cannot start the embedded database ${where}: ${(err as Error).message}`, { cause: err });
  }
  const port = Number(server.getServerConn().split(":").pop());
  let stopped: Promise<void> | undefined;
  const running = { db, server };
  return {
    url: embeddedDatabaseUrl(port),
    port,
    db,
    stop: () => {
      stopped ??= (async () => {
        await running.server.stop().catch(() => {});
        await running.db.close().catch(() => {});
        await releaseDir();
      })();
      return stopped;
    },
  };
}

/**
 * Takes `<pgDir>.pid` for this process. A pid file of a live process means the directory is
 * in use (refused); one of a dead process (killed, crashed, or a reused pid) is taken over.
 */
async function claimDataDir(pgDir: string): Promise<() => Promise<void>> {
  await fs.mkdir(path.dirname(pgDir), { recursive: true });
  const pidFile = `${pgDir}.pid`;
  const mine = await processIdentity(process.pid);
  const [pid, started] = (await fs.readFile(pidFile, "utf8").catch(() => "")).trim().split(" ");
  const holder = Number(pid);
  if (holder && holder !== process.pid && (await isRunning(holder, started))) {
    throw new Error(`Cannot start the embedded database "${pgDir}": it is in use by process ${holder}`);
  }
  await fs.writeFile(pidFile, `${mine}\n`);
  return async () => {
    const current = (await fs.readFile(pidFile, "utf8").catch(() => "")).trim();
    if (current === mine) await fs.rm(pidFile, { force: true });
  };
}

/** "<pid> <start time>" where /proc exists (so a reused pid is told apart), else "<pid>". */
async function processIdentity(pid: number): Promise<string> {
  const stat = await readProcStat(pid);
  return stat ? `${pid} ${stat.started}` : String(pid);
}

async function readProcStat(pid: number): Promise<{ state: string; started: string } | null> {
  const text = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (text === null) return null;
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
  return { state: fields[0], started: fields[19] };
}

async function isRunning(pid: number, started: string | undefined): Promise<boolean> {
  const stat = await readProcStat(pid);
  if (stat) return stat.state !== "Z" && stat.state !== "X" && (started === undefined || stat.started === started);
  if (await fs.access("/proc/self/stat").then(() => true, () => false)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
