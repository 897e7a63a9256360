// The runs API on real PostgreSQL with real API tokens: run now (201, then 409 naming the run), rights per role,
// listing and detail, cancel, and the live log over SSE that streams new lines and ends on the final status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";

let tdb: TestDatabase;
let events: typeof import("./route").GET;
let detail: typeof import("../route").GET;
let cancel: typeof import("../cancel/route").POST;
let jobRuns: typeof import("../../../jobs/[id]/runs/route");
let list: typeof import("../../route").GET;
let runs: typeof import("@/lib/data/runs");
let agentId: string, jobId: string, hostId: string;
const tokens: Record<"admin" | "operator" | "viewer" | "stranger", string> = { admin: "", operator: "", viewer: "", stranger: "" };

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  ({ GET: events } = await import("./route"));
  ({ GET: detail } = await import("../route"));
  ({ POST: cancel } = await import("../cancel/route"));
  jobRuns = await import("../../../jobs/[id]/runs/route");
  ({ GET: list } = await import("../../route"));
  runs = await import("@/lib/data/runs");
  const { hashToken } = await import("@/lib/auth/tokens");
  agentId = (await tdb.prisma.agent.create({ data: { name: "a", tokenHash: randomUUID(), secretEnc: "x", lastSeenAt: new Date() } })).id;
  hostId = (await tdb.prisma.host.create({ data: { name: "web1", address: "192.0.2.1", agentId } })).id;
  jobId = (await tdb.prisma.job.create({ data: { hostId, name: "etc", method: "mirror", sources: ["/etc"], schedule: "0 3 * * *" } })).id;
  for (const who of ["admin", "operator", "viewer", "stranger"] as const) {
    const role = who === "stranger" ? "operator" : who;
    const u = await tdb.prisma.user.create({ data: { email: `${who}@example.org`, name: who, role, passwordHash: "x" } });
    tokens[who] = `strata_pat_${who}-${randomUUID()}`;
    await tdb.prisma.apiToken.create({ data: { userId: u.id, name: "t", tokenHash: hashToken(tokens[who]), prefix: "strata_pat" } });
    if (who === "operator" || who === "viewer") await tdb.prisma.hostAssignment.create({ data: { userId: u.id, hostId } });
  }
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const req = (who: keyof typeof tokens, path: string, init: RequestInit = {}) => new Request(`http://console.test${path}`, { ...init, headers: { authorization: `Bearer ${tokens[who]}`, ...(init.headers ?? {}) } });
const params = (id: string) => ({ params: Promise.resolve({ id }) });

/** Reads SSE events from a response until `end` (or the stream closes). */
async function readEvents(res: Response, onEvent?: (e: { event: string; data: unknown }) => Promise<void>) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: { event: string; id?: string; data: unknown }[] = [];
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf("\n\n")) !== -1) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const field = (k: string) => block.split("\n").find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2);
      const event = field("event");
      if (!event) continue;
      const e = { event, id: field("id"), data: JSON.parse(field("data")!) };
      out.push(e);
      await onEvent?.(e);
    }
  }
  return out;
}

describe("runs API", () => {
  it("runs a job now for operators (201, then 409 with the queued run), never for viewers or strangers", async () => {
    const created = await jobRuns.POST(req("operator", `/api/v1/jobs/${jobId}/runs`, { method: "POST" }), params(jobId));
    expect(created.status).toBe(201);
    const { run } = await created.json();
    const again = await jobRuns.POST(req("admin", `/api/v1/jobs/${jobId}/runs`, { method: "POST" }), params(jobId));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ runId: run.id, error: { code: "conflict" } });
    const { POST: runAlias } = await import("../../../jobs/[id]/run/route");
    expect((await runAlias(req("operator", `/api/v1/jobs/${jobId}/run`, { method: "POST" }), params(jobId))).status).toBe(409);
    expect((await jobRuns.POST(req("viewer", `/api/v1/jobs/${jobId}/runs`, { method: "POST" }), params(jobId))).status).toBe(403);
    expect((await jobRuns.POST(req("stranger", `/api/v1/jobs/${jobId}/runs`, { method: "POST" }), params(jobId))).status).toBe(404);
    const listed = await (await jobRuns.GET(req("viewer", `/api/v1/jobs/${jobId}/runs`), params(jobId))).json();
    expect(listed.runs.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect((await (await list(req("viewer", `/api/v1/runs?status=queued&hostId=${hostId}`), params(""))).json()).runs).toHaveLength(1);
    expect((await list(req("viewer", "/api/v1/runs?status=bogus"), params(""))).status).toBe(400);
    expect((await cancel(req("viewer", `/api/v1/runs/${run.id}/cancel`, { method: "POST" }), params(run.id))).status).toBe(403);
    const cancelled = await cancel(req("operator", `/api/v1/runs/${run.id}/cancel`, { method: "POST" }), params(run.id));
    expect((await cancelled.json()).run.status).toBe("cancelled");
    expect((await cancel(req("operator", `/api/v1/runs/${run.id}/cancel`, { method: "POST" }), params(run.id))).status).toBe(409);
  });

  it("streams the live log over SSE while the agent reports, and ends on the final status", async () => {
    const id = randomUUID();
    const base = { v: 1 as const, jobId, type: "backup" as const, trigger: "schedule" as const };
    await runs.reportRun(agentId, id, { ...base, status: "running", logOffset: 0, log: ["first"] });
    const res = await events(req("viewer", `/api/v1/runs/${id}/events`), params(id));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    let step = 0;
    const got = await readEvents(res, async (e) => {
      if (e.event !== "log") return;
      step++;
      if (step === 1) await runs.reportRun(agentId, id, { ...base, status: "running", logOffset: 1, log: ["second", "third"] });
      if (step === 2) await runs.reportRun(agentId, id, { ...base, status: "success", logOffset: 3, log: ["done"] });
    });
    const logs = got.filter((e) => e.event === "log");
    expect(logs.map((e) => e.data)).toEqual([
      { offset: 0, lines: ["first"] },
      { offset: 1, lines: ["second", "third"] },
      { offset: 3, lines: ["done"] },
    ]);
    expect(logs.map((e) => e.id)).toEqual(["1", "3", "4"]);
    expect(got.at(-1)).toMatchObject({ event: "end", data: { status: "success" } });
    expect(got.filter((e) => e.event === "status").at(-1)?.data).toMatchObject({ status: "success", logLines: 4 });
    // A reconnect resumes after the last event id; a finished run's stream ends at once.
    const resumed = await readEvents(await events(req("viewer", `/api/v1/runs/${id}/events`, { headers: { "last-event-id": "3" } }), params(id)));
    expect(resumed.filter((e) => e.event === "log").map((e) => e.data)).toEqual([{ offset: 3, lines: ["done"] }]);
    const run = await (await detail(req("viewer", `/api/v1/runs/${id}`), params(id))).json();
    expect(run.run).toMatchObject({ status: "success", log: "first\nsecond\nthird\ndone\n", final: true });
    expect((await events(req("stranger", `/api/v1/runs/${id}/events`), params(id))).status).toBe(404);
    expect((await detail(req("stranger", `/api/v1/runs/${id}`), params(id))).status).toBe(404);
  });
});
