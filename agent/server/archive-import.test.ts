// End to end on real PostgreSQL: the console imports the repository the real backup-manager wrote (fixture)
// through this data plane, then browses every day's tree and downloads files of several days through its
// own API — the same path the console's pages use.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/caller";
import { extractFixture, tempDir } from "@/agent/engines/archive/test-helpers";
import type { CatalogueTestEnv } from "@/lib/data/catalogue/test-setup";
import type { DataPlane } from "./index";

const SECRET = "archive-import-secret-0123456789";
const BASE = "tmp/bmfix/data";
let env: CatalogueTestEnv;
let plane: DataPlane;
let db: typeof import("@/lib/db").db;
let repoId: string;
const tmp = tempDir("archive-import");

beforeAll(async () => {
  const { setupCatalogueTest } = await import("@/lib/data/catalogue/test-setup");
  env = await setupCatalogueTest();
  db = (await import("@/lib/db")).db;
  mkdirSync(path.join(tmp.dir, "bm"));
  const repo = extractFixture(path.join(tmp.dir, "bm"));
  const { startDataPlane } = await import("./index");
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [tmp.dir], secret: () => SECRET });
  const { encryptSecret } = await import("@/lib/crypto/secrets");
  await env.tdb.prisma.agent.update({ where: { id: env.agentId }, data: { url: plane.url, secretEnc: encryptSecret(SECRET) } });
  repoId = await env.makeRepo("bm-fixture", { format: "archive", path: repo });
  const { runImport } = await import("@/lib/data/catalogue/import");
  await runImport(repoId);
}, 120_000);

afterAll(async () => {
  await plane?.close();
  await db?.().$disconnect();
  await env?.tdb.drop();
  tmp.cleanup();
});

async function treeAt(caller: Caller, at: string): Promise<Record<string, string>> {
  const { listDirectory } = await import("@/lib/data/catalogue");
  const out: Record<string, string> = {};
  const walk = async (p: string) => {
    const r = await listDirectory(caller, repoId, { path: p, at, limit: 5000 });
    for (const e of r.entries) {
      const rel = e.path.slice(BASE.length + 1);
      out[rel] = e.type === "dir" ? "dir" : e.type === "symlink" ? `link:${e.linkTarget}` : `file:${e.size}`;
      if (e.type === "dir") await walk(e.path);
    }
  };
  await walk(BASE);
  return out;
}

describe("console import of a backup-manager repository through the data plane", () => {
  it("is complete with one increment per archive day", async () => {
    const r = await db().repository.findUniqueOrThrow({ where: { id: repoId } });
    expect(r.importError).toBeNull();
    expect(r.importState).toBe("complete");
    const incs = await db().increment.findMany({ where: { repositoryId: repoId }, orderBy: { time: "asc" } });
    expect(incs).toHaveLength(12);
    expect(incs[3].archives).toContain("bmhost-tmp-bmfix-data.20270104.master.tar.gz");
  });

  it("browses each day's tree: deletions (b.txt, sub/), the sub2 → sub3 rename, the re-pointed link, the new empty folder", async () => {
    const day = (d: number) => `2027-01-${String(d).padStart(2, "0")}T12:00:00`;
    const d1 = await treeAt(env.viewer, day(1));
    expect(d1).toEqual({ "a.txt": "file:9", "b.txt": "file:9", "link-to-a": "link:a.txt", sub: "dir", "sub/c.txt": "file:11", sub2: "dir", "sub2/d.txt": "file:9" });
    expect(Object.keys(await treeAt(env.viewer, day(3)))).not.toContain("b.txt");
    const d7 = await treeAt(env.viewer, day(7));
    expect(d7["sub3/d.txt"]).toBe("file:9");
    expect(d7.sub2).toBeUndefined();
    const d8 = await treeAt(env.viewer, day(8));
    expect(d8.sub).toBeUndefined();
    expect(d8["sub/e.txt"]).toBeUndefined();
    expect((await treeAt(env.viewer, day(9)))["link-to-a"]).toBe("link:new.txt");
    expect((await treeAt(env.viewer, day(12))).emptydir).toBe("dir");
  });

  it("downloads files as they were through the console API (renamed folder's file from the earlier master)", async () => {
    const route = await import("@/app/api/v1/repositories/[id]/file/route");
    const { createToken } = await import("@/lib/data/tokens");
    const token = await createToken(env.viewer, { name: "t", expiresAt: null }, { ip: null });
    const get = async (p: string, at: string) => {
      const url = new URL("http://console.test/api");
      url.searchParams.set("path", p);
      url.searchParams.set("at", at);
      const res = await route.GET(new Request(url, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: repoId }) });
      return { status: res.status, text: await res.text() };
    };
    expect(await get(`${BASE}/a.txt`, "2027-01-01T12:00:00")).toEqual({ status: 200, text: "alpha v1\n" });
    expect(await get(`${BASE}/a.txt`, "2027-01-05T12:00:00")).toEqual({ status: 200, text: "alpha v2\n" });
    expect(await get(`${BASE}/a.txt`, "2027-01-12T12:00:00")).toEqual({ status: 200, text: "alpha v3\n" });
    expect(await get(`${BASE}/sub3/d.txt`, "2027-01-09T12:00:00")).toEqual({ status: 200, text: "delta v1\n" });
    expect(await get(`${BASE}/new.txt`, "2027-01-08T12:00:00")).toEqual({ status: 200, text: "new v2\n" });
  });
});
