// Search across repositories on real PostgreSQL: a few repositories are searched one by one, many in one
// query; both give the same order (path, newest version first) and only repositories the caller may see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import { setupCatalogueTest, type CatalogueTestEnv } from "./test-setup";

let env: CatalogueTestEnv;
let cat: typeof import("./index");
let db: typeof import("@/lib/db").db;
const T = [1_700_000_000, 1_700_003_600];
const repos: string[] = [];

beforeAll(async () => {
  env = await setupCatalogueTest();
  cat = await import("./index");
  db = (await import("@/lib/db")).db;
  // 12 repositories (more than are searched one by one); the last five on no host (admins only), so the viewer sees seven (searched one by one).
  for (let i = 0; i < 12; i++) {
    const id = await env.makeRepo(`r${String(i).padStart(2, "0")}`, i >= 7 ? { hostId: null } : {});
    repos.push(id);
    const first: ChangeSetEntry[] = [
      { v: 1, change: "new", path: "", type: "dir" },
      { v: 1, change: "new", path: `report-${i}.txt`, type: "file", size: i },
      { v: 1, change: "new", path: "shared-report.md", type: "file", size: 1 },
      { v: 1, change: "new", path: "other.bin", type: "file", size: 2 },
    ];
    await cat.ingestChangeSet(db(), { repositoryId: id, header: { v: 1, kind: "header", format: "mirror", time: T[0], previousTime: null }, entries: first });
    const second: ChangeSetEntry[] = [{ v: 1, change: "changed", path: "shared-report.md", type: "file", size: 3 }];
    await cat.ingestChangeSet(db(), { repositoryId: id, header: { v: 1, kind: "header", format: "mirror", time: T[1], previousTime: T[0] }, entries: second });
  }
}, 120_000);

afterAll(async () => {
  await db?.().$disconnect();
  await env?.tdb.drop();
});

type Hit = { path: string; repositoryName: string; validFrom: Date; size: number };
const key = (r: Hit) => `${r.path}|${r.repositoryName}|${r.validFrom.getTime() / 1000}|${r.size}`;

describe("search across repositories", () => {
  it("searches many repositories in one query, in path order with the newest version first", async () => {
    const all = await cat.searchVersions(env.admin, { q: "report" });
    expect(all.truncated).toBe(false);
    expect(all.results.length).toBe(12 * 3);
    const paths = all.results.map((r) => r.path);
    expect(paths).toEqual([...paths].sort());
    const shared = all.results.filter((r) => r.path === "shared-report.md" && r.repositoryName === "r03");
    expect(shared.map((r) => [r.validFrom.getTime() / 1000, r.size])).toEqual([[T[1], 3], [T[0], 1]]);
    expect(new Set(all.results.map((r) => r.repositoryName)).size).toBe(12);
  });

  it("gives the same answer one repository at a time, and only what the caller may see", async () => {
    const many = await cat.searchVersions(env.admin, { q: "*.md" });
    const viewer = await cat.searchVersions(env.viewer, { q: "*.md" });
    expect(viewer.results.map(key)).toEqual(many.results.filter((r) => r.repositoryName < "r07").map(key));
    const one = await cat.searchVersions(env.admin, { repoId: repos[5], q: "*.md" });
    expect(one.results.map(key)).toEqual(many.results.filter((r) => r.repositoryName === "r05").map(key));
    expect((await cat.searchVersions(env.outsider, { q: "report" })).results).toEqual([]);
  });

  it("cuts at the limit and says so", async () => {
    const cut = await cat.searchVersions(env.admin, { q: "report", limit: 5 });
    expect(cut.truncated).toBe(true);
    expect(cut.results.map(key)).toEqual((await cat.searchVersions(env.admin, { q: "report" })).results.slice(0, 5).map(key));
  });
});
