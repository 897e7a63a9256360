// The catalogue over HTTP handlers on real PostgreSQL: import of a real repository through the agent's data
// plane, agent change-set uploads, the JSON endpoints and their rights (404 for unassigned viewers, 401).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { buildMirrorFixture, SESSION_TIMES, type Fixture, type TreeEntry } from "./test-fixture";
import { setupCatalogueTest, type CatalogueTestEnv } from "./test-setup";
import type { DataPlane } from "@/agent/server/index";

let env: CatalogueTestEnv;
let fx: Fixture;
let plane: DataPlane;
let db: typeof import("@/lib/db").db;
const tokens: Record<string, string> = {};
const SECRET = "catalogue-test-secret-0123456789";
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;
const routes: Record<string, { GET?: Handler; POST?: Handler }> = {};

beforeAll(async () => {
  [env, fx] = await Promise.all([setupCatalogueTest(), buildMirrorFixture()]);
  db = (await import("@/lib/db")).db;
  const { createToken } = await import("@/lib/data/tokens");
  for (const [k, c] of Object.entries({ admin: env.admin, viewer: env.viewer, outsider: env.outsider })) tokens[k] = await createToken(c, { name: "t", expiresAt: null }, { ip: null });
  const { startDataPlane } = await import("@/agent/server/index");
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [fx.dir], secret: () => SECRET });
  const { encryptSecret } = await import("@/lib/crypto/secrets");
  await env.tdb.prisma.agent.update({ where: { id: env.agentId }, data: { url: plane.url, secretEnc: encryptSecret(SECRET) } });
  routes.list = await import("@/app/api/v1/repositories/route");
  routes.one = await import("@/app/api/v1/repositories/[id]/route");
  routes.tree = await import("@/app/api/v1/repositories/[id]/tree/route");
  routes.increments = await import("@/app/api/v1/repositories/[id]/increments/route");
  routes.history = await import("@/app/api/v1/repositories/[id]/history/route");
  routes.search = await import("@/app/api/v1/repositories/[id]/search/route");
  routes.changes = await import("@/app/api/v1/repositories/[id]/changes/route");
  routes.searchAll = await import("@/app/api/v1/search/route");
  routes.upload = await import("@/app/api/agent/v1/increments/route");
  routes.remove = await import("@/app/api/agent/v1/increments/remove/route");
}, 120_000);

afterAll(async () => {
  await plane?.close();
  await db?.().$disconnect();
  await env?.tdb.drop();
  fx?.cleanup();
});

async function call(route: string, who: string | null, opts: { id?: string; query?: Record<string, string>; method?: "GET" | "POST"; body?: BodyInit; auth?: string } = {}) {
  const url = new URL("http://console.test/api");
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  if (opts.auth) headers.authorization = opts.auth;
  else if (who) headers.authorization = `Bearer ${tokens[who]}`;
  const method = opts.method ?? "GET";
  const req = new Request(url, { method, headers, body: opts.body, ...(opts.body ? { duplex: "half" } : {}) } as RequestInit);
  const res = await routes[route][method]!(req, { params: Promise.resolve(opts.id ? { id: opts.id } : {}) });
  return { status: res.status, body: await res.json() };
}

async function treeAt(who: string, id: string, at: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [{ path: "", type: "dir", size: 0 }];
  const walk = async (path: string) => {
    const r = await call("tree", who, { id, query: { path, at } });
    expect(r.status).toBe(200);
    for (const e of r.body.entries) {
      out.push({ path: e.path, type: e.type, size: e.size });
      if (e.type === "dir") await walk(e.path);
    }
  };
  await walk("");
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

let imported: string;
let posted: string;

describe("catalogue API", () => {
  it("resumes, on the first request after a restart, an import a previous process left running", async () => {
    const p = env.tdb.prisma;
    const twin = await p.agent.create({ data: { name: "agent2", tokenHash: "unused-2", secretEnc: (await p.agent.findUniqueOrThrow({ where: { id: env.agentId } })).secretEnc, url: plane.url } });
    const repo = await p.repository.create({ data: { name: "half-imported", format: "mirror", agentId: twin.id, path: fx.repo, hostId: env.hostId, importState: "running" } });
    await p.run.create({ data: { type: "import", status: "running", repositoryId: repo.id, agentId: twin.id } });
    // the previous process got through the first two sessions
    const { openRepository, readVersions } = await import("@/agent/engines/mirror/read/index");
    const { changeSetSessions } = await import("./stream");
    const { ingestChangeSet } = await import("./ingest");
    let n = 0;
    for await (const s of changeSetSessions(readVersions(await openRepository(fx.repo)))) {
      if (n++ < 2) await ingestChangeSet(db(), { repositoryId: repo.id, header: s.header, entries: s.entries });
    }
    expect((await call("list", "viewer")).status).toBe(200);
    let detail;
    for (let i = 0; i < 100; i++) {
      detail = (await call("one", "viewer", { id: repo.id })).body.repository;
      if (detail.importState !== "running") break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(detail).toMatchObject({ importState: "complete", incrementCount: 4, importProgress: { status: "success", stats: { sessionsDone: 4, sessionsNew: 2 } } });
    for (const [i, t] of SESSION_TIMES.entries()) expect(await treeAt("viewer", repo.id, String(t))).toEqual(fx.trees[i]);
  });

  it("imports an existing repository through the agent and says when it is complete", async () => {
    const r = await call("list", "admin", { method: "POST", body: JSON.stringify({ agent: "agent1", path: fx.repo, host: "web1", format: "mirror" }) });
    expect(r.status).toBe(202);
    imported = r.body.id;
    let detail;
    for (let i = 0; i < 100; i++) {
      detail = (await call("one", "viewer", { id: imported })).body.repository;
      if (detail.importState === "complete" || detail.importState === "failed") break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(detail).toMatchObject({ importState: "complete", importError: null, incrementCount: 4, importProgress: { status: "success", stats: { sessionsDone: 4 } } });
    // The span is the increments' times, as stored (session times are whole seconds).
    const first = new Date(Math.min(...SESSION_TIMES) * 1000).toISOString();
    const last = new Date(Math.max(...SESSION_TIMES) * 1000).toISOString();
    expect([detail.firstIncrementAt, detail.lastIncrementAt]).toEqual([first, last]);
    const listed = (await call("list", "viewer")).body.repositories.find((x: { id: string }) => x.id === imported);
    expect(listed).toMatchObject({ incrementCount: 4, firstIncrementAt: first, lastIncrementAt: last });
    for (const [i, t] of SESSION_TIMES.entries()) expect(await treeAt("viewer", imported, String(t))).toEqual(fx.trees[i]);
  });

  it("marks an import failed with the agent's reason when the path is no repository", async () => {
    const r = await call("list", "admin", { method: "POST", body: JSON.stringify({ agent: env.agentId, path: `${fx.dir}/missing`, format: "mirror" }) });
    expect(r.status).toBe(202);
    let detail;
    for (let i = 0; i < 100; i++) {
      detail = (await call("one", "admin", { id: r.body.id })).body.repository;
      if (detail.importState === "complete" || detail.importState === "failed") break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(detail.importState).toBe("failed");
    expect(detail.importError).toMatch(/missing/);
    expect(detail.importProgress.status).toBe("failed");
  });

  it("refuses a second registration of the same path, non-admins and unknown agents", async () => {
    const body = JSON.stringify({ agent: "agent1", path: fx.repo, format: "mirror" });
    expect((await call("list", "admin", { method: "POST", body })).status).toBe(409);
    expect((await call("list", "viewer", { method: "POST", body })).status).toBe(403);
    const bad = JSON.stringify({ agent: "nope", path: "/srv/x", format: "mirror" });
    expect((await call("list", "admin", { method: "POST", body: bad })).status).toBe(400);
    const rel = JSON.stringify({ agent: "agent1", path: "../x", format: "mirror" });
    expect((await call("list", "admin", { method: "POST", body: rel })).status).toBe(400);
  });

  it("takes an agent's posted change sets for its own repositories, once", async () => {
    const id = (posted = await env.makeRepo("posted", { path: "/srv/backups/posted" }));
    const post = (file: string, auth = `Bearer ${env.agentToken}`, repository = "/srv/backups/posted") => {
      const [head, ...rest] = readFileSync(file, "utf8").split("\n");
      const body = [JSON.stringify({ ...JSON.parse(head), repository }), ...rest].join("\n");
      return call("upload", null, { method: "POST", auth, body });
    };
    for (const f of fx.changeSets) expect((await post(f)).status).toBe(201);
    const again = await post(fx.changeSets[3]);
    expect(again).toMatchObject({ status: 200, body: { created: false } });
    expect((await post(fx.changeSets[0], "Bearer agent_wrong")).status).toBe(401);
    expect((await post(fx.changeSets[0], undefined, "/srv/backups/not-registered")).status).toBe(404);
    for (const [i, t] of SESSION_TIMES.entries()) expect(await treeAt("admin", id, String(t))).toEqual(fx.trees[i]);
  });

  it("follows the agent's retention when it reports removed sessions", async () => {
    const remove = (body: object, auth = `Bearer ${env.agentToken}`) => call("remove", null, { method: "POST", auth, body: JSON.stringify(body) });
    const r = await remove({ v: 1, repository: "/srv/backups/posted", times: [SESSION_TIMES[0]] });
    expect(r).toMatchObject({ status: 200, body: { removedIncrements: 1, repositoryId: posted } });
    expect((await call("tree", "admin", { id: posted, query: { at: String(SESSION_TIMES[0]) } })).status).toBe(404);
    for (const i of [1, 2, 3]) expect(await treeAt("admin", posted, String(SESSION_TIMES[i]))).toEqual(fx.trees[i]);
    expect((await remove({ v: 1, repository: "/srv/backups/other", times: [1] })).status).toBe(404);
    expect((await remove({ v: 1, repository: "/srv/backups/posted", times: [] })).status).toBe(400);
  });

  it("serves increments, history, search and changes", async () => {
    const inc = await call("increments", "viewer", { id: imported });
    expect(inc.body.increments.map((i: { time: string }) => Date.parse(i.time) / 1000)).toEqual(SESSION_TIMES);
    const h = await call("history", "viewer", { id: imported, query: { path: "new.txt" } });
    expect(h.body.events.map((e: { change: string }) => e.change)).toEqual(["new", "deleted", "new"]);
    const s = await call("search", "viewer", { id: imported, query: { q: "*.txt" } });
    expect(s.body.results.length).toBeGreaterThanOrEqual(6);
    const all = await call("searchAll", "viewer", { query: { q: "inner" } });
    expect(all.body.results.map((r: { repositoryId: string }) => r.repositoryId)).toContain(imported);
    const c = await call("changes", "viewer", { id: imported, query: { from: String(SESSION_TIMES[1]), to: String(SESSION_TIMES[2]) } });
    expect(c.body.deleted.map((e: { path: string }) => e.path)).toEqual(["dir/sub", "dir/sub/c.txt", "new.txt"]);
    expect((await call("tree", "viewer", { id: imported, query: { path: "../etc" } })).status).toBe(400);
    expect((await call("tree", "viewer", { id: imported, query: { path: "dir/sub", at: String(SESSION_TIMES[3]) } })).status).toBe(404);
    expect((await call("tree", "viewer", { id: imported, query: { at: "1990-01-01" } })).status).toBe(404);
  });

  it("hides repositories of unassigned hosts (404) and refuses missing or bad tokens (401)", async () => {
    const mine = await call("list", "viewer");
    expect(mine.body.repositories.map((r: { id: string }) => r.id)).toContain(imported);
    expect((await call("list", "outsider")).body.repositories).toEqual([]);
    for (const route of ["one", "tree", "increments", "history", "search", "changes"]) {
      const r = await call(route, "outsider", { id: imported, query: { path: "a.txt", q: "a", from: "now" } });
      expect([route, r.status]).toEqual([route, 404]);
    }
    expect((await call("searchAll", "outsider", { query: { q: "inner" } })).body.results).toEqual([]);
    expect((await call("list", null, { auth: "Bearer pat_nope" })).status).toBe(401);
    expect((await call("tree", null, { id: imported, auth: "Basic abc" })).status).toBe(401);
  });
});
