// A directory of 10,000+ entries on real PostgreSQL: keyset pages cover it exactly once in order, sorting
// and filtering work, and the listing query is served by the (repositoryId, parent, validFrom, validUntil) index.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import { setupCatalogueTest, type CatalogueTestEnv } from "./test-setup";

let env: CatalogueTestEnv;
let cat: typeof import("./index");
let browse: typeof import("./browse");
let db: typeof import("@/lib/db").db;
let repoId: string;
const N = 10_500;
const T1 = 1_700_000_000;
const T2 = T1 + 3600;

beforeAll(async () => {
  env = await setupCatalogueTest();
  cat = await import("./index");
  browse = await import("./browse");
  db = (await import("@/lib/db")).db;
  repoId = await env.makeRepo("big");
  const first = function* (): Generator<ChangeSetEntry> {
    yield { v: 1, change: "new", path: "", type: "dir" };
    yield { v: 1, change: "new", path: "big", type: "dir" };
    for (let i = 0; i < N; i++) yield { v: 1, change: "new", path: `big/f${String(i).padStart(5, "0")}`, type: "file", size: i, mtime: T1 - i };
    for (let d = 0; d < 5; d++) {
      yield { v: 1, change: "new", path: `other${d}`, type: "dir" };
      for (let i = 0; i < 10_000; i++) yield { v: 1, change: "new", path: `other${d}/g${i}`, type: "file", size: 1 };
    }
  };
  await cat.ingestChangeSet(db(), { repositoryId: repoId, header: { v: 1, kind: "header", format: "mirror", time: T1, previousTime: null }, entries: first() });
  const second = function* (): Generator<ChangeSetEntry> {
    for (let i = 0; i < 100; i++) yield { v: 1, change: "deleted", path: `big/f${String(i).padStart(5, "0")}`, type: "file" };
    for (let i = 100; i < 200; i++) yield { v: 1, change: "changed", path: `big/f${String(i).padStart(5, "0")}`, type: "file", size: 1 };
  };
  await cat.ingestChangeSet(db(), { repositoryId: repoId, header: { v: 1, kind: "header", format: "mirror", time: T2, previousTime: T1 }, entries: second() });
  await db().$executeRawUnsafe(`ANALYZE "FileVersion"`);
}, 120_000);

afterAll(async () => {
  await db?.().$disconnect();
  await env?.tdb.drop();
});

describe("a directory of more than 10,000 entries", () => {
  it("pages through every entry exactly once, in name order", async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await cat.listDirectory(env.viewer, repoId, { path: "big", at: String(T1), limit: 1000, cursor });
      names.push(...page.entries.map((e) => e.name));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(11);
    expect(names.length).toBe(N);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(N);
  });

  it("pages by size descending and filters by name at the later increment", async () => {
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await cat.listDirectory(env.viewer, repoId, { path: "big", at: String(T2), sort: "size", order: "desc", limit: 2500, cursor });
      sizes.push(...page.entries.map((e) => e.size));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(sizes.length).toBe(N - 100);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    const f = await cat.listDirectory(env.viewer, repoId, { path: "big", at: String(T2), filter: "f0015", showDeleted: true });
    expect(f.entries.map((e) => [e.name, e.changedInThisIncrement])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`f0015${i}`, true]),
    );
    const gone = await cat.listDirectory(env.viewer, repoId, { path: "big", at: String(T2), filter: "f0000", showDeleted: true });
    expect(gone.entries.every((e) => e.deletedAt?.getTime() === T2 * 1000)).toBe(true);
  });

  it("answers from the parent index, fast", async () => {
    const sql = browse.directorySql(repoId, "big", T2, { sort: "name", desc: false, cursor: null, limit: 500 });
    const plan = (await db().$queryRaw<{ "QUERY PLAN": string }[]>`EXPLAIN ${sql}`).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toMatch(/Index.*FileVersion_repositoryId_parent_validFrom_validUntil_idx/);
    const started = performance.now();
    await cat.listDirectory(env.viewer, repoId, { path: "big", at: String(T2), limit: 500 });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
