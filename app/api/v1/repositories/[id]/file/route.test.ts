// The file download route on real PostgreSQL against a real agent data plane: bytes at each increment,
// ranges, ETag, names, and rights (404 for a repository the caller may not see, 401 without a valid token).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DownloadTestEnv } from "@/lib/agent-client/test-console";

let env: DownloadTestEnv;
let GET: typeof import("./route").GET;

beforeAll(async () => {
  const { setupDownloadTest } = await import("@/lib/agent-client/test-console");
  env = await setupDownloadTest();
  ({ GET } = await import("./route"));
}, 120_000);

afterAll(async () => {
  await env?.close();
});

function call(token: string | null, query: Record<string, string>, headers: Record<string, string> = {}, id = env.repoId) {
  const url = `http://console.test/api/v1/repositories/${id}/file?${new URLSearchParams(query)}`;
  const req = new Request(url, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return GET(req, { params: Promise.resolve({ id }) });
}
const sha1 = (b: Buffer | ArrayBuffer) => createHash("sha1").update(Buffer.from(b as ArrayBuffer)).digest("hex");

describe("GET /api/v1/repositories/{id}/file", () => {
  it("streams each file's bytes as they were at each increment, with type, name, size and ETag", async () => {
    for (const [i, t] of env.fx.sessions.entries()) {
      for (const p of ["docs/a.txt", "docs/big.bin", "docs/naïve name & space.txt"]) {
        const res = await call(env.tokens.viewer, { path: p, at: new Date((t + 60) * 1000).toISOString().replace(".000Z", "Z") });
        expect(res.status, `${p} at ${i}`).toBe(200);
        const want = readFileSync(path.join(env.fx.snapshots[i], p));
        expect(sha1(await res.arrayBuffer()), `${p} at ${i}`).toBe(sha1(want));
        expect(res.headers.get("x-content-length")).toBe(String(want.length));
        expect(res.headers.get("x-strata-increment")).toBe(new Date(t * 1000).toISOString());
        expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{40}-\d+"$/);
      }
    }
    const res = await call(env.tokens.viewer, { path: "docs/naïve name & space.txt" });
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="na_ve name & space.txt"; filename*=UTF-8''na%C3%AFve%20name%20%26%20space.txt`);
  });

  it("resolves rdiff-backup time specs: 1B is the previous increment, an epoch picks the latest at or before it", async () => {
    const [s0, s1] = env.fx.sessions;
    const prev = await call(env.tokens.viewer, { path: "docs/a.txt", at: "1B" });
    expect(Buffer.from(await prev.arrayBuffer()).toString()).toBe(readFileSync(path.join(env.fx.snapshots[1], "docs/a.txt"), "utf8"));
    const mid = await call(env.tokens.viewer, { path: "docs/a.txt", at: String(s1 - 1) });
    expect(mid.headers.get("x-strata-increment")).toBe(new Date(s0 * 1000).toISOString());
    expect((await call(env.tokens.viewer, { path: "docs/a.txt", at: String(s0 - 1) })).status).toBe(404);
    expect((await call(env.tokens.viewer, { path: "docs/a.txt", at: "not a time" })).status).toBe(400);
    const iso = await call(env.tokens.viewer, { path: "docs/a.txt", at: new Date(s1 * 1000).toISOString() });
    expect(iso.headers.get("x-strata-increment")).toBe(new Date(s1 * 1000).toISOString());
  });

  it("answers Range requests with 206 and Content-Range, 416 when unsatisfiable, 304 for a matching ETag", async () => {
    const want = readFileSync(path.join(env.fx.snapshots[2], "docs/big.bin"));
    const r = await call(env.tokens.viewer, { path: "docs/big.bin" }, { range: "bytes=1000-200999" });
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes 1000-200999/${want.length}`);
    expect(Buffer.from(await r.arrayBuffer()).equals(want.subarray(1000, 201_000))).toBe(true);
    const tail = await call(env.tokens.viewer, { path: "docs/big.bin" }, { range: "bytes=-100" });
    expect(Buffer.from(await tail.arrayBuffer()).equals(want.subarray(want.length - 100))).toBe(true);
    const bad = await call(env.tokens.viewer, { path: "docs/big.bin" }, { range: `bytes=${want.length}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers.get("content-range")).toBe(`bytes */${want.length}`);
    const etag = (await call(env.tokens.viewer, { path: "docs/big.bin" })).headers.get("etag")!;
    expect((await call(env.tokens.viewer, { path: "docs/big.bin" }, { "if-none-match": etag })).status).toBe(304);
  });

  it("answers 404 for a path absent then, 400 for a directory, a symlink or an escaping path", async () => {
    expect((await call(env.tokens.viewer, { path: "top.txt" })).status).toBe(404);
    expect((await call(env.tokens.viewer, { path: "top.txt", at: String(env.fx.sessions[0]) })).status).toBe(200);
    expect((await call(env.tokens.viewer, { path: "docs" })).status).toBe(400);
    expect((await call(env.tokens.viewer, { path: "link-to-a" })).status).toBe(400);
    for (const p of ["../etc/passwd", "/etc/passwd", "docs/../top.txt", "docs%2Fa.txt", "a\0b"]) {
      expect((await call(env.tokens.viewer, { path: p })).status, p).toBe(400);
    }
  });

  it("hides a repository from a viewer without the host (404) and refuses a missing or bad token (401)", async () => {
    expect((await call(env.tokens.outsider, { path: "docs/a.txt" })).status).toBe(404);
    expect((await call(env.tokens.admin, { path: "docs/a.txt" })).status).toBe(200);
    expect((await call("pat_not-a-real-token", { path: "docs/a.txt" })).status).toBe(401);
    expect((await call(null, { path: "docs/a.txt" }, { authorization: "Basic eDp5" })).status).toBe(401);
  });

  it("reports an unreachable agent as 503 naming the agent and its address", async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
    const dead = `http://127.0.0.1:${(free.address() as AddressInfo).port}`;
    await new Promise((resolve) => free.close(resolve));
    await env.tdb.prisma.agent.updateMany({ data: { url: dead } });
    try {
      const res = await call(env.tokens.viewer, { path: "docs/a.txt" });
      expect(res.status).toBe(503);
      expect((await res.json()).error.message).toBe(`Cannot download "docs/a.txt": Cannot reach agent "local" at "${dead}": connection refused`);
    } finally {
      await env.tdb.prisma.agent.updateMany({ data: { url: env.plane.url } });
    }
  });
});
