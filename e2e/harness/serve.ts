// The e2e web server: a fresh data directory and a fresh database, then exactly what `npm start` runs.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { randomBytes } from "node:crypto";

const root = path.resolve(import.meta.dirname, "../..");

/** Makes a new empty database on the server of `baseUrl` and returns its URL. */
async function freshDatabase(baseUrl: string): Promise<string> {
  const name = `strata_e2e_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.href;
}

async function main() {
  mkdirSync(path.join(root, "test-results"), { recursive: true });
  const dataDir = mkdtempSync(path.join(root, "test-results", "e2e-data-"));
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_DATA_DIR: dataDir, STRATA_AGENT_HEARTBEAT_SECONDS: "2" };
  if (process.env.DATABASE_URL) env.DATABASE_URL = await freshDatabase(process.env.DATABASE_URL);
  process.stdout.write(`e2e: data in ${dataDir}, database ${env.DATABASE_URL ? "PostgreSQL" : "embedded"}\n`);
  const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/start.ts")], { cwd: root, stdio: "inherit", env });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  child.on("exit", (code) => process.exit(code ?? 1));
}

void main();
