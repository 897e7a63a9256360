// The agent's control-loop routes on real PostgreSQL: jobs with etag and 304, commands, and run reports
// (validation, wrong agent, offsets, a job deleted mid-run) whose final status sends the job's webhook without
// holding up the answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestDatabase } from "@/lib/db/test-db";
import { commandsResponse, jobsResponse, runReportResponse } from "@/lib/schemas/agent-protocol";

let tdb: TestDatabase;
let PUT: typeof import("./route").PUT;
let jobsGET: typeof import("../../jobs/route").GET;
let commandsGET: typeof import("../../commands/route").GET;
let hook: Server;
const hooks: Record<string, unknown>[] = [];
let jobId: string;
const token = "strata_agent_route-test-token-1";
const otherToken = "strata_agent_route-test-token-2";

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  ({ PUT } = await import("./route"));
  ({ GET: jobsGET } = await import("../../jobs/route"));
  ({ GET: commandsGET } = await import("../../commands/route"));
  const { hashToken } = await import("@/lib/auth/tokens");
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooks.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const agent = await tdb.prisma.agent.create({ data: { name: "a1", tokenHash: hashToken(token), secretEnc: "x" } });
  await tdb.prisma.agent.create({ data: { name: "a2", tokenHash: hashToken(otherToken), secretEnc: "x" } });
  const host = await tdb.prisma.host.create({ data: { name: "web1", address: "local", transport: "local", agentId: agent.id } });
  const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
  jobId = (await tdb.prisma.job.create({ data: { hostId: host.id, name: "etc", method: "mirror", sources: ["/etc"], schedule: "0 3 * * *", notify: { emails: [], webhook, onFailure: true } } })).id;
});

afterAll(async () => {
  await new Promise((r) => hook?.close(() => r(null)));
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const auth = (t: string | null): Record<string, string> => (t ? { authorization: `Bearer ${t}` } : {});
const put = (t: string | null, id: string, body: unknown) =>
  PUT(new Request(`http://console.test/api/agent/v1/runs/${id}`, { method: "PUT", headers: { ...auth(t), "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve({ id }) });

describe("agent control-loop routes", () => {
  it("serves the agent's jobs with an etag, 304 on If-None-Match, 401 without a valid token", async () => {
    const res = await jobsGET(new Request("http://console.test/api/agent/v1/jobs", { headers: auth(token) }));
    expect(res.status).toBe(200);
    const body = jobsResponse.parse(await res.json());
    expect(body.hosts[0]).toMatchObject({ name: "web1", local: true });
    expect(body.jobs.map((j) => j.repository)).toEqual(["web1/etc"]);
    expect(res.headers.get("etag")).toBe(body.etag);
    const again = await jobsGET(new Request("http://console.test/api/agent/v1/jobs", { headers: { ...auth(token), "if-none-match": body.etag } }));
    expect(again.status).toBe(304);
    expect((await (await jobsGET(new Request("http://console.test/api/agent/v1/jobs", { headers: auth(otherToken) }))).json()).jobs).toEqual([]);
    expect((await jobsGET(new Request("http://console.test/api/agent/v1/jobs"))).status).toBe(401);
    const cmds = await commandsGET(new Request("http://console.test/api/agent/v1/commands", { headers: auth(token) }));
    expect(commandsResponse.parse(await cmds.json())).toEqual({ v: 1, jobsEtag: body.etag, commands: [] });
    expect((await commandsGET(new Request("http://console.test/api/agent/v1/commands", { headers: auth("strata_agent_nope") }))).status).toBe(401);
  });

  it("takes reports by offset, refuses bad bodies (400) and other agents (404), and notifies a failure once", async () => {
    const id = randomUUID();
    const base = { v: 1, jobId, type: "backup", trigger: "schedule" };
    expect((await put(token, id, { ...base, status: "exploded" })).status).toBe(400);
    expect((await put(null, id, { ...base, status: "running" })).status).toBe(401);
    expect((await put(otherToken, id, { ...base, status: "running" })).status).toBe(404);
    const r1 = await put(token, id, { ...base, status: "running", repository: "/srv/repos/web1/etc", format: "mirror", logOffset: 0, log: ["start"] });
    expect(runReportResponse.parse(await r1.json())).toEqual({ v: 1, logLines: 1, cancel: false });
    const r2 = await put(token, id, { ...base, status: "failed", reason: "disk full", logOffset: 1, log: ["No space left on device"] });
    expect(await r2.json()).toEqual({ v: 1, logLines: 2, cancel: false });
    for (let i = 0; i < 50 && hooks.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ event: "run.finished", status: "failed", reason: "disk full", logTail: ["start", "No space left on device"] });
    expect(await (await put(token, id, { ...base, status: "failed", reason: "disk full" })).json()).toEqual({ v: 1, logLines: 2, cancel: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks).toHaveLength(1);
    expect(await tdb.prisma.repository.count({ where: { jobId } })).toBe(1);
  });

  it("takes a report for a known run whose job was deleted meanwhile (200, recorded, nobody notified); an unknown run stays 404", async () => {
    const host = await tdb.prisma.host.findFirstOrThrow({ where: { name: "web1" } });
    const doomed = await tdb.prisma.job.create({ data: { hostId: host.id, name: "doomed", method: "mirror", sources: ["/srv"], schedule: "0 4 * * *", notify: { emails: [], webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, onFailure: true } } });
    const id = randomUUID();
    const base = { v: 1, jobId: doomed.id, type: "backup", trigger: "schedule" };
    expect((await put(token, id, { ...base, status: "running", logOffset: 0, log: ["copying"] })).status).toBe(200);
    await tdb.prisma.job.delete({ where: { id: doomed.id } });
    expect((await put(token, randomUUID(), { ...base, status: "running" })).status).toBe(404);
    expect((await put(otherToken, id, { ...base, status: "failed" })).status).toBe(404);
    const res = await put(token, id, { ...base, status: "failed", reason: "job gone", logOffset: 1, log: ["stopped"] });
    expect(res.status).toBe(200);
    expect(runReportResponse.parse(await res.json())).toEqual({ v: 1, logLines: 2, cancel: false });
    expect(await tdb.prisma.run.findUniqueOrThrow({ where: { id } })).toMatchObject({ jobId: null, status: "failed", reason: "job gone", log: "copying\nstopped\n" });
    const before = hooks.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks).toHaveLength(before);
  });
});
