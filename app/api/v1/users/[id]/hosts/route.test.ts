// PUT/GET /api/v1/users/{id}/hosts on real PostgreSQL: admins assign hosts by name or id (audited), bad input
// is a 400 that changes nothing, other roles get 403, and the assignment is what lets a viewer see a repository.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupCatalogueTest, type CatalogueTestEnv } from "@/lib/data/catalogue/test-setup";

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
let env: CatalogueTestEnv;
let route: { GET: Handler; PUT: Handler };
let repo: typeof import("@/app/api/v1/repositories/[id]/route");
const tokens: Record<string, string> = {};
let otherHost: { id: string; name: string };
let hiddenRepo: string;

beforeAll(async () => {
  env = await setupCatalogueTest();
  const { createToken } = await import("@/lib/data/tokens");
  for (const [k, c] of Object.entries({ admin: env.admin, viewer: env.viewer, outsider: env.outsider })) tokens[k] = await createToken(c, { name: "t", expiresAt: null }, { ip: null });
  route = (await import("./route")) as unknown as typeof route;
  repo = await import("@/app/api/v1/repositories/[id]/route");
  otherHost = await env.tdb.prisma.host.create({ data: { name: "db2", address: "192.0.2.11" }, select: { id: true, name: true } });
  hiddenRepo = await env.makeRepo("db2-files", { hostId: otherHost.id });
}, 60_000);

afterAll(async () => {
  await (await import("@/lib/db")).db().$disconnect();
  await env?.tdb.drop();
});

async function call(method: "GET" | "PUT", who: string | null, id: string, body?: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json", "x-forwarded-for": "198.51.100.7" };
  headers.authorization = who ? `Bearer ${tokens[who]}` : "Bearer pat_nope";
  const req = new Request(`http://console.test/api/v1/users/${id}/hosts`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const res = await route[method](req, { params: Promise.resolve({ id }) });
  return { status: res.status, body: await res.json() };
}

async function repoStatus(who: string, id: string) {
  const req = new Request(`http://console.test/api/v1/repositories/${id}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return (await repo.GET(req, { params: Promise.resolve({ id }) })).status;
}

describe("host assignment API", () => {
  it("lists a user's hosts for admins", async () => {
    const r = await call("GET", "admin", env.viewer.id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: env.viewer.id, email: env.viewer.email, role: "viewer", hosts: [{ id: env.hostId, name: "web1" }] });
    expect((await call("GET", "admin", env.outsider.id)).body.hosts).toEqual([]);
  });

  it("replaces the set by names or ids, audits it, and the viewer then sees exactly those hosts' repositories", async () => {
    expect(await repoStatus("outsider", hiddenRepo)).toBe(404);
    const r = await call("PUT", "admin", env.outsider.id, { hosts: ["db2", env.hostId, "db2"] });
    expect(r.status).toBe(200);
    expect(r.body.hosts.map((h: { name: string }) => h.name)).toEqual(["db2", "web1"]);
    expect(await repoStatus("outsider", hiddenRepo)).toBe(200);
    const audit = await env.tdb.prisma.auditEvent.findFirst({ where: { action: "user.hosts", targetId: env.outsider.id }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actorId: env.admin.id, ip: "198.51.100.7", targetLabel: env.outsider.email });
    expect((audit!.details as { hostIds: string[] }).hostIds.sort()).toEqual([env.hostId, otherHost.id].sort());

    const none = await call("PUT", "admin", env.outsider.id, { hosts: [] });
    expect(none.body.hosts).toEqual([]);
    expect(await repoStatus("outsider", hiddenRepo)).toBe(404);
  });

  it("refuses unknown hosts and malformed bodies with 400 and changes nothing", async () => {
    const before = await call("GET", "admin", env.viewer.id);
    const unknown = await call("PUT", "admin", env.viewer.id, { hosts: ["web1", "nope", "00000000-0000-4000-8000-000000000000"] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('"nope"');
    expect(unknown.body.error.message).toContain('"00000000-0000-4000-8000-000000000000"');
    for (const bad of [{ hosts: "web1" }, { hostIds: [] }, { hosts: [""] }, "not json"]) {
      const r = await call("PUT", "admin", env.viewer.id, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await call("GET", "admin", env.viewer.id)).toEqual(before);
  });

  it("is for admins only, and unknown users are 404", async () => {
    expect((await call("GET", "viewer", env.viewer.id)).status).toBe(403);
    expect((await call("PUT", "viewer", env.viewer.id, { hosts: ["db2"] })).status).toBe(403);
    expect((await call("PUT", null, env.viewer.id, { hosts: ["db2"] })).status).toBe(401);
    expect(await repoStatus("viewer", hiddenRepo)).toBe(404);
    expect((await call("GET", "admin", "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await call("PUT", "admin", "not-a-uuid", { hosts: [] })).status).toBe(404);
  });
});
