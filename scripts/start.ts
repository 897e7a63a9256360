// `npm start`: validate the configuration, start the embedded database if needed, migrate, create the first
// admin, build the console if needed, then run the console and the local agent until stopped.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseEnv, type StrataEnv } from "@/lib/env";
import { consoleProcessEnv } from "./console-env";
import { checkDatabaseReachable, createPrismaClient, describeDatabaseUrl } from "@/lib/db/client";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrate";
import { ensureFirstAdmin, localAgentEnrolmentToken } from "@/lib/data/bootstrap";
import { loadOrCreateSecrets } from "./secrets";

const root = path.resolve(import.meta.dirname, "..");
const say = (msg: string) => process.stdout.write(`strata: ${msg}\n`);

function fail(msg: string): never {
  process.stderr.write(`strata: ${msg}\n`);
  process.exit(1);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when .next is missing or older than any console source. */
function needsBuild(): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = ["app", "components", "lib"].map((d) => newestMtime(path.join(root, d)));
  const files = ["next.config.ts", "package-lock.json", "postcss.config.mjs"].map((f) => (existsSync(path.join(root, f)) ? statSync(path.join(root, f)).mtimeMs : 0));
  return Math.max(...sources, ...files) > built;
}

async function prepareDatabase(env: StrataEnv, dataDir: string) {
  if (env.DATABASE_URL) {
    await checkDatabaseReachable(env.DATABASE_URL);
    say(`database: ${describeDatabaseUrl(env.DATABASE_URL)}`);
    return { url: env.DATABASE_URL, stop: async () => {} };
  }
  say(`database: embedded PostgreSQL (PGlite) in ${path.join(dataDir, "pg")}`);
  return startEmbeddedDatabase({ dataDir });
}

function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (child.exitCode !== null) return reject(new Error("the console exited during start-up"));
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.ok) return resolve();
      } catch {}
      if (Date.now() > deadline) return reject(new Error(`the console did not answer at ${url} within ${timeoutMs / 1000} s`));
      setTimeout(tick, 300);
    };
    void tick();
  });
}

async function main() {
  let env: StrataEnv;
  try {
    env = parseEnv();
  } catch (err) {
    fail((err as Error).message);
  }
  const dataDir = path.resolve(env.STRATA_DATA_DIR);
  const secrets = await loadOrCreateSecrets(dataDir, env);
  const db = await prepareDatabase(env, dataDir).catch((err) => fail((err as Error).message));
  const stopDb = () => db.stop().catch(() => {});

  const migrated = await applyMigrations(db.url, { migrationsDir: path.join(root, "prisma", "migrations") }).catch(async (err) => {
    await stopDb();
    fail(`Cannot migrate the database: ${(err as Error).message}`);
  });
  if (migrated.applied.length) say(`migrations applied: ${migrated.applied.join(", ")}`);

  const prisma = createPrismaClient(db.url);
  const admin = await ensureFirstAdmin(prisma, env.STRATA_ADMIN_EMAIL, env.STRATA_ADMIN_PASSWORD).catch(async (err) => {
    await stopDb();
    fail((err as Error).message);
  });
  const agentState = path.join(dataDir, "agent", "agent.json");
  const enrolToken = env.STRATA_LOCAL_AGENT && !existsSync(agentState) ? await localAgentEnrolmentToken(prisma) : undefined;
  await prisma.$disconnect();

  if (needsBuild()) {
    say("building the console (first start or sources changed; about a minute)…");
    const build = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (build.status !== 0) {
      await stopDb();
      fail("the console build failed (see above)");
    }
  }

  const publicUrl = env.STRATA_URL ?? `http://${env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST}:${env.PORT}`;
  const childEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    NEXTAUTH_URL: publicUrl,
    NEXTAUTH_SECRET: secrets.authSecret,
    STRATA_SECRET_KEY: secrets.secretKey,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
    await stopDb();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  const consoleProc = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-H", env.HOST, "-p", String(env.PORT)], { cwd: root, stdio: "inherit", env: consoleProcessEnv(childEnv) });
  children.push(consoleProc);
  consoleProc.on("exit", (code) => void stop(code ?? 1));
  await waitForHealth(`http://127.0.0.1:${env.PORT}`.replace("127.0.0.1", env.HOST === "0.0.0.0" ? "127.0.0.1" : env.HOST), consoleProc, 60_000).catch((err) => {
    process.stderr.write(`strata: ${(err as Error).message}\n`);
    void stop(1);
  });

  if (env.STRATA_LOCAL_AGENT) {
    const args = [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "agent/main.ts"), "run", "--console", `http://127.0.0.1:${env.PORT}`, "--name", "local", "--state-dir", path.join(dataDir, "agent")];
    if (enrolToken) args.push("--enrol", enrolToken);
    const agentProc = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, STRATA_AGENT_REPOSITORIES: path.join(dataDir, "repositories") } });
    children.push(agentProc);
    agentProc.on("exit", (code) => !stopping && say(`the local agent exited with code ${code}`));
  }

  say(`console ready at ${publicUrl}`);
  if (admin.created) {
    if (admin.generatedPassword) {
      say("first start: an administrator account was created. This password is shown only once:");
      say(`    email:    ${admin.email}`);
      say(`    password: ${admin.generatedPassword}`);
      say("sign in and change it at /account.");
    } else say(`first start: administrator "${admin.email}" created from STRATA_ADMIN_EMAIL / STRATA_ADMIN_PASSWORD`);
  }
}

void main();
