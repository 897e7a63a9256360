// The agent's control loop against the console's real route handlers (app/api/agent/v1/*) on real PostgreSQL,
// served over HTTP: run now → mirror written → run, repository and increment in the catalogue; the console
// going down mid-run loses nothing; cancel requested in the console stops the run.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@/lib/db/test-db";
import { rdiffBackup } from "../engines/mirror/read/test-rdiff";
import { ConsoleClient } from "./console-client";
import { startControlLoop, type ControlLoop } from "./control-loop";

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
let tdb: TestDatabase;
let server: Server;
let url: string;
let down = false;
let dir: string;
let loop: ControlLoop;
const ac = new AbortController();
const token = "strata_agent_loop-e2e-token-1";
let jobId: string;
let agentId: string;

async function body(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  const { hashToken } = await import("@/lib/auth/tokens");
  const routes: [string, RegExp, Handler][] = [
    ["GET", /^\/api\/agent\/v1\/jobs$/, (await import("@/app/api/agent/v1/jobs/route")).GET as Handler],
    ["GET", /^\/api\/agent\/v1\/commands$/, (await import("@/app/api/agent/v1/commands/route")).GET as Handler],
    ["PUT", /^\/api\/agent\/v1\/runs\/([^/]+)$/, (await import("@/app/api/agent/v1/runs/[id]/route")).PUT as Handler],
    ["POST", /^\/api\/agent\/v1\/increments$/, (await import("@/app/api/agent/v1/increments/route")).POST as Handler],
    ["POST", /^\/api\/agent\/v1\/increments\/remove$/, (await import("@/app/api/agent/v1/increments/remove/route")).POST as Handler],
    ["POST", /^\/api\/agent\/v1\/host-keys$/, (await import("@/app/api/agent/v1/host-keys/route")).POST as Handler],
  ];
  server = createServer(async (req, res) => {
    if (down) return void req.socket.destroy();
    const u = new URL(req.url ?? "/", "http://console.test");
    const route = routes.find(([m, re]) => m === req.method && re.test(u.pathname));
    if (!route) return void res.writeHead(404).end();
    const id = route[1].exec(u.pathname)![1] ?? "";
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === "string")) as Record<string, string>;
    const b = await body(req);
    const r = await route[2](new Request(u, { method: req.method, headers, body: b ? new Uint8Array(b) : undefined }), { params: Promise.resolve({ id }) });
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  dir = await mkdtemp(path.join(os.tmpdir(), "strata-loop-e2e-"));
  await mkdir(path.join(dir, "src/sub"), { recursive: true });
  await writeFile(path.join(dir, "src/a.txt"), "alpha\n");
  await writeFile(path.join(dir, "src/sub/b.txt"), "beta\n");
  agentId = (await tdb.prisma.agent.create({ data: { name: "a1", tokenHash: hashToken(token), secretEnc: "x" } })).id;
  const host = await tdb.prisma.host.create({ data: { name: "web1", address: "local", transport: "local", agentId } });
  jobId = (await tdb.prisma.job.create({ data: { hostId: host.id, name: "files", method: "mirror", sources: [path.join(dir, "src")], schedule: "0 3 * * *" } })).id;
  loop = await startControlLoop({
    client: new ConsoleClient(url), token, stateDir: path.join(dir, "state"), repositoryRoots: [path.join(dir, "repos")], timeZone: "UTC",
    signal: ac.signal, log: () => undefined, tickMs: 50, commandPollMs: 100, sendIntervalMs: 100, sendBackoffMs: 50, sendMaxBackoffMs: 300,
  });
}, 60_000);

afterAll(async () => {
  ac.abort();
  await loop?.done;
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runRow = (id: string) => tdb.prisma.run.findUniqueOrThrow({ where: { id }, include: { repository: true, increment: true } });
const queue = async () => (await tdb.prisma.run.create({ data: { jobId, agentId, type: "backup", trigger: "manual", status: "queued" } })).id;

describe("control loop ↔ the console's agent routes", () => {
  it("run now: the mirror is written, the run, its repository and increment land in the catalogue", async () => {
    expect(loop.store.job(jobId)?.repository).toBe("web1/files");
    const id = await queue();
    const run = await until(async () => {
      const r = await runRow(id);
      return r.status === "success" ? r : null;
    }, "the run to succeed");
    const repoPath = path.join(dir, "repos/web1/files");
    expect(run.repository?.path).toBe(repoPath);
    expect(run.increment).not.toBeNull();
    expect(run.logLines).toBeGreaterThan(0);
    expect(run.log).toContain('of job "files" (mirror) on host "web1", trigger manual');
    expect(run.stats).toMatchObject({ errors: 0 });
    expect(await tdb.prisma.increment.count({ where: { repositoryId: run.repositoryId! } })).toBe(1);
    const out = path.join(dir, "restored");
    expect(rdiffBackup(["restore", "--at", "now", repoPath, out]).status).toBe(0);
    await until(async () => loop.spool.list().length === 0, "the spool to empty");
  });

  it("the console going down during a run loses nothing: the report arrives when it is back", async () => {
    await tdb.prisma.job.update({ where: { id: jobId }, data: { preCommand: "sleep 1", revision: { increment: 1 } } });
    await writeFile(path.join(dir, "src/c.txt"), "gamma\n");
    const id = await queue();
    await until(async () => (await runRow(id)).status === "running", "the run to start");
    down = true;
    await until(async () => loop.spool.get(id)?.done, "the run to finish while the console is down");
    expect((await runRow(id)).status).toBe("running");
    down = false;
    const run = await until(async () => {
      const r = await runRow(id);
      return r.status === "success" ? r : null;
    }, "the report after the console came back");
    expect(run.increment).not.toBeNull();
    expect(await tdb.prisma.increment.count({ where: { repositoryId: run.repositoryId! } })).toBe(2);
    expect(run.log.split("\n").filter((l) => l.startsWith("Run ")).length).toBe(1);
  });

  it("cancel requested in the console stops the run within seconds", async () => {
    await tdb.prisma.job.update({ where: { id: jobId }, data: { preCommand: "sleep 30", revision: { increment: 1 } } });
    await until(async () => loop.store.job(jobId)?.definition.preCommand === "sleep 30", "the new definition");
    const id = await queue();
    await until(async () => (await runRow(id)).status === "running", "the run to start");
    const t = Date.now();
    await tdb.prisma.run.update({ where: { id }, data: { cancelRequestedAt: new Date() } });
    const run = await until(async () => {
      const r = await runRow(id);
      return r.status === "cancelled" ? r : null;
    }, "the cancel");
    expect(Date.now() - t).toBeLessThan(5000);
    expect(run.reason).toMatch(/^Cancelled/);
  });
});
