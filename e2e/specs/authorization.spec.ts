// Authorization matrix: every route that exists, for anonymous callers and each role, checked on the server.
import { test, expect, request as pwRequest, type APIRequestContext } from "@playwright/test";
import { createUser, signInApi, uniqueIp, type Role } from "../harness/api";
import { E2E_ADMIN, E2E_PORT } from "../harness/constants";

const baseURL = `http://127.0.0.1:${E2E_PORT}`;
type Who = "anonymous" | Role;

/** Expected status per caller: pages redirect anonymous callers (307), APIs answer 401. */
const routes: { method: "GET" | "POST" | "PUT"; path: string; expect: Record<Who, number> }[] = [
  { method: "GET", path: "/", expect: { anonymous: 307, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/account", expect: { anonymous: 307, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/account/tokens", expect: { anonymous: 307, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/hosts", expect: { anonymous: 307, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/hosts/new", expect: { anonymous: 307, viewer: 403, operator: 403, admin: 200 } },
  { method: "GET", path: "/hosts/00000000-0000-4000-8000-000000000000", expect: { anonymous: 307, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/hosts/00000000-0000-4000-8000-000000000000/jobs/new", expect: { anonymous: 307, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/hosts/00000000-0000-4000-8000-000000000000/jobs/00000000-0000-4000-8000-000000000000", expect: { anonymous: 307, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/admin/users", expect: { anonymous: 307, viewer: 403, operator: 403, admin: 200 } },
  { method: "GET", path: "/admin/users/new", expect: { anonymous: 307, viewer: 403, operator: 403, admin: 200 } },
  { method: "GET", path: "/admin/users/00000000-0000-4000-8000-000000000000", expect: { anonymous: 307, viewer: 403, operator: 403, admin: 404 } },
  { method: "GET", path: "/admin/audit", expect: { anonymous: 307, viewer: 403, operator: 403, admin: 200 } },
  { method: "GET", path: "/admin/agents", expect: { anonymous: 307, viewer: 403, operator: 403, admin: 200 } },
  { method: "GET", path: "/login", expect: { anonymous: 200, viewer: 307, operator: 307, admin: 307 } },
  { method: "GET", path: "/api/health", expect: { anonymous: 200, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/api/v1/openapi.json", expect: { anonymous: 200, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/api/v1/me", expect: { anonymous: 401, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/api/v1/users", expect: { anonymous: 401, viewer: 403, operator: 403, admin: 200 } },
  { method: "POST", path: "/api/v1/users", expect: { anonymous: 401, viewer: 403, operator: 403, admin: 400 } },
  { method: "GET", path: "/api/v1/users/00000000-0000-4000-8000-000000000000/hosts", expect: { anonymous: 401, viewer: 403, operator: 403, admin: 404 } },
  { method: "PUT", path: "/api/v1/users/00000000-0000-4000-8000-000000000000/hosts", expect: { anonymous: 401, viewer: 403, operator: 403, admin: 400 } },
  { method: "GET", path: "/api/v1/agents", expect: { anonymous: 401, viewer: 403, operator: 403, admin: 200 } },
  { method: "GET", path: "/api/v1/hosts", expect: { anonymous: 401, viewer: 200, operator: 200, admin: 200 } },
  { method: "POST", path: "/api/v1/hosts", expect: { anonymous: 401, viewer: 403, operator: 403, admin: 400 } },
  { method: "GET", path: "/api/v1/hosts/00000000-0000-4000-8000-000000000000/jobs", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "POST", path: "/api/v1/hosts/00000000-0000-4000-8000-000000000000/jobs", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/api/v1/jobs/00000000-0000-4000-8000-000000000000", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/api/v1/no-such-endpoint", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "POST", path: "/api/agent/v1/heartbeat", expect: { anonymous: 401, viewer: 401, operator: 401, admin: 401 } },
  { method: "GET", path: "/runs", expect: { anonymous: 307, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/runs/00000000-0000-4000-8000-000000000000", expect: { anonymous: 307, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/hosts/00000000-0000-4000-8000-000000000000/jobs/00000000-0000-4000-8000-000000000000/runs", expect: { anonymous: 307, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/api/v1/runs", expect: { anonymous: 401, viewer: 200, operator: 200, admin: 200 } },
  { method: "GET", path: "/api/v1/runs/00000000-0000-4000-8000-000000000000", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/api/v1/runs/00000000-0000-4000-8000-000000000000/events", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "POST", path: "/api/v1/runs/00000000-0000-4000-8000-000000000000/cancel", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/api/v1/jobs/00000000-0000-4000-8000-000000000000/runs", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "POST", path: "/api/v1/jobs/00000000-0000-4000-8000-000000000000/runs", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "POST", path: "/api/v1/jobs/00000000-0000-4000-8000-000000000000/run", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/repositories/00000000-0000-4000-8000-000000000000/restore", expect: { anonymous: 307, viewer: 404, operator: 404, admin: 404 } },
  { method: "POST", path: "/api/v1/repositories/00000000-0000-4000-8000-000000000000/restore", expect: { anonymous: 401, viewer: 404, operator: 404, admin: 404 } },
  { method: "GET", path: "/api/agent/v1/jobs", expect: { anonymous: 401, viewer: 401, operator: 401, admin: 401 } },
  { method: "GET", path: "/api/agent/v1/commands", expect: { anonymous: 401, viewer: 401, operator: 401, admin: 401 } },
  { method: "PUT", path: "/api/agent/v1/runs/00000000-0000-4000-8000-000000000000", expect: { anonymous: 401, viewer: 401, operator: 401, admin: 401 } },
  { method: "POST", path: "/api/agent/v1/host-keys", expect: { anonymous: 401, viewer: 401, operator: 401, admin: 401 } },
];

async function contextFor(who: Who): Promise<APIRequestContext> {
  const ctx = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  if (who === "admin") await signInApi(ctx, E2E_ADMIN.email, E2E_ADMIN.password);
  else if (who !== "anonymous") {
    const seeder = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const u = await createUser(seeder, who);
    await seeder.dispose();
    await signInApi(ctx, u.email, u.password);
  }
  return ctx;
}

for (const who of ["anonymous", "viewer", "operator", "admin"] as const) {
  test(`every route answers ${who} with the right status`, async () => {
    const ctx = await contextFor(who);
    const got: string[] = [];
    const want: string[] = [];
    for (const r of routes) {
      const res = await ctx.fetch(r.path, { method: r.method, maxRedirects: 0, data: r.method !== "GET" ? {} : undefined });
      got.push(`${r.method} ${r.path} → ${res.status()}`);
      want.push(`${r.method} ${r.path} → ${r.expect[who]}`);
      if (res.status() === 307) expect(res.headers()["location"]).toMatch(r.path === "/login" ? /\/$/ : /\/login/);
      if (r.path.startsWith("/api/v1/") && res.status() >= 400) expect(res.headers()["content-type"]).toContain("application/json");
    }
    expect(got).toEqual(want);
    await ctx.dispose();
  });
}

test("a bad or tampered credential is refused like no credential", async () => {
  const ctx = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  expect((await ctx.get("/api/v1/me", { headers: { authorization: "Bearer strata_pat_not-a-real-token" } })).status()).toBe(401);
  expect((await ctx.get("/api/v1/me", { headers: { authorization: "Basic abc" } })).status()).toBe(401);
  const tampered = await ctx.get("/", { headers: { cookie: "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.forged.forged.forged.forged" }, maxRedirects: 0 });
  expect(tampered.status()).toBe(307);
  expect((await ctx.get("/api/v1/me", { headers: { cookie: "next-auth.session-token=garbage" } })).status()).toBe(401);
  await ctx.dispose();
});
