// The e2e web server: a fresh data directory and a fresh database, then exactly what `npm start` runs.
// The database is dropped when the run ends (best effort, WITH (FORCE)): by this process when the server
// exits, and by a detached watchdog (this file with `--drop-when-gone PID NAME`) when this process is killed
// outright (Playwright SIGKILLs the web server's process group unless told to shut it down gracefully).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { randomBytes } from "node:crypto";

const root = path.resolve(import.meta.dirname, "../..");
const tsxCli = path.join(root, "node_modules/tsx/dist/cli.mjs");

/** Makes a new empty database on the server of `baseUrl` and returns its name and URL. */
async function freshDatabase(baseUrl: string): Promise<{ name: string; url: string }> {
  const name = `strata_e2e_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return { name, url: u.href };
}

/** Drops an e2e database, ending its sessions; never throws (a failure is only printed). */
async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  if (!/^strata_e2e_\w+$/.test(name)) return;
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } catch (err) {
    process.stderr.write(`e2e: could not drop database ${name}: ${(err as Error).message}\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Watchdog: waits until process `pid` is gone, then drops the database. */
async function dropWhenGone(baseUrl: string, pid: number, name: string): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 1000));
  await dropDatabase(baseUrl, name);
}

async function main() {
  mkdirSync(path.join(root, "test-results"), { recursive: true });
  const dataDir = mkdtempSync(path.join(root, "test-results", "e2e-data-"));
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_DATA_DIR: dataDir, STRATA_AGENT_HEARTBEAT_SECONDS: "2" };
  const baseUrl = process.env.DATABASE_URL;
  let db: { name: string; url: string } | undefined;
  if (baseUrl) {
    db = await freshDatabase(baseUrl);
    env.DATABASE_URL = db.url;
    spawn(process.execPath, [tsxCli, import.meta.filename, "--drop-when-gone", String(process.pid), db.name], { detached: true, stdio: "ignore", env: process.env }).unref();
  }
  process.stdout.write(`e2e: data in ${dataDir}, database ${db ? `PostgreSQL ${db.name}` : "embedded"}\n`);
  const child = spawn(process.execPath, [tsxCli, path.join(root, "scripts/start.ts")], { cwd: root, stdio: "inherit", env });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  child.on("exit", (code) => {
    const done = () => process.exit(code ?? 1);
    if (baseUrl && db) void dropDatabase(baseUrl, db.name).then(done);
    else done();
  });
}

const [flag, pid, name] = process.argv.slice(2);
if (flag === "--drop-when-gone" && process.env.DATABASE_URL) void dropWhenGone(process.env.DATABASE_URL, Number(pid), name);
else void main();
