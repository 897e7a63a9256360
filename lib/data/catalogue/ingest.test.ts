// Catalogue ingest on real PostgreSQL from a real mirror repository: each session's tree, idempotence,
// history, search, what-changed and retention.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import type { Caller } from "@/lib/auth/caller";
import { buildMirrorFixture, SESSION_TIMES, type Fixture, type TreeEntry } from "./test-fixture";
import { setupCatalogueTest, type CatalogueTestEnv } from "./test-setup";

let env: CatalogueTestEnv;
let fx: Fixture;
let cat: typeof import("./index");
let stream: typeof import("./stream");
let db: typeof import("@/lib/db").db;
let repoId: string;

beforeAll(async () => {
  [env, fx] = await Promise.all([setupCatalogueTest(), buildMirrorFixture()]);
  cat = await import("./index");
  stream = await import("./stream");
  db = (await import("@/lib/db")).db;
  repoId = await env.makeRepo("web1-mirror");
}, 120_000);

afterAll(async () => {
  await db?.().$disconnect();
  await env?.tdb.drop();
  fx?.cleanup();
});

/** Ingests every session readVersions emits; returns each session's result. */
async function ingestAll(repo: string) {
  const { openRepository, readVersions } = await import("@/agent/engines/mirror/read/index");
  const out = [];
  for await (const s of stream.changeSetSessions(readVersions(await openRepository(fx.repo)))) {
    out.push(await cat.ingestChangeSet(db(), { repositoryId: repo, header: s.header, entries: s.entries }));
  }
  return out;
}

/** The whole tree at `at` through listDirectory (root included), as the fixture's snapshot shape. */
async function treeAt(caller: Caller, repo: string, at: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [{ path: "", type: "dir", size: 0 }];
  const walk = async (path: string) => {
    const page = await cat.listDirectory(caller, repo, { path, at, limit: 5000 });
    for (const e of page.entries) {
      out.push({ path: e.path, type: e.type, size: e.size });
      if (e.type === "dir") await walk(e.path);
    }
  };
  await walk("");
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

describe("catalogue ingest of a real mirror repository", () => {
  it("lists, at every session time, exactly the source tree of that session", async () => {
    const results = await ingestAll(repoId);
    expect(results.map((r) => r.created)).toEqual([true, true, true, true]);
    for (const [i, t] of SESSION_TIMES.entries()) {
      expect(await treeAt(env.admin, repoId, String(t)), `session ${i}`).toEqual(fx.trees[i]);
    }
    // a time between sessions shows the earlier one; "1B" one session back
    expect(await treeAt(env.viewer, repoId, String(SESSION_TIMES[1] + 100))).toEqual(fx.trees[1]);
    expect(await treeAt(env.viewer, repoId, "1B")).toEqual(fx.trees[2]);
  });

  it("changes nothing when the same sessions are reported again", async () => {
    const before = await db().fileVersion.count({ where: { repositoryId: repoId } });
    const again = await ingestAll(repoId);
    expect(again.map((r) => r.created)).toEqual([false, false, false, false]);
    expect(await db().fileVersion.count({ where: { repositoryId: repoId } })).toBe(before);
    expect(await db().increment.count({ where: { repositoryId: repoId } })).toBe(4);
  });

  it("builds the same catalogue from the change sets the backups wrote", async () => {
    const other = await env.makeRepo("from-change-sets");
    for (const file of fx.changeSets) {
      const records = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      for await (const s of stream.changeSetSessions((async function* () { yield* records; })())) {
        await cat.ingestChangeSet(db(), { repositoryId: other, header: s.header, entries: s.entries });
      }
    }
    for (const [i, t] of SESSION_TIMES.entries()) expect(await treeAt(env.admin, other, String(t))).toEqual(fx.trees[i]);
  });

  it("marks entries changed in the viewed increment and shows deleted ones with their deletion time", async () => {
    const page = await cat.listDirectory(env.admin, repoId, { path: "dir", at: String(SESSION_TIMES[2]), showDeleted: true });
    expect(page.entries.map((e) => [e.name, e.deletedAt?.getTime() ?? null])).toEqual([
      ["sub", SESSION_TIMES[2] * 1000],
      ["b.txt", SESSION_TIMES[1] * 1000],
    ]);
    const root = await cat.listDirectory(env.admin, repoId, { at: String(SESSION_TIMES[1]) });
    const changed = Object.fromEntries(root.entries.map((e) => [e.name, e.changedInThisIncrement]));
    expect(changed).toMatchObject({ "a.txt": true, "new.txt": true, x: true, "keep.bin": false, link: false });
    const how = Object.fromEntries(root.entries.map((e) => [e.name, e.changeInThisIncrement]));
    expect(how).toMatchObject({ "a.txt": "changed", "new.txt": "new", "keep.bin": null, link: null });
    const first = await cat.listDirectory(env.admin, repoId, { at: String(SESSION_TIMES[0]) });
    expect(new Set(first.entries.map((e) => e.changeInThisIncrement))).toEqual(new Set(["new"]));
    expect(root.at.increment.time.getTime()).toBe(SESSION_TIMES[1] * 1000);
    expect(root.exists).toBe(true);
    expect((await cat.listDirectory(env.admin, repoId, { path: "dir/sub", at: String(SESSION_TIMES[2]) })).exists).toBe(false);
    expect((await cat.listDirectory(env.admin, repoId, { path: "a.txt", at: String(SESSION_TIMES[2]) })).exists).toBe(false);
    expect((await cat.listDirectory(env.admin, repoId, { path: "x", at: String(SESSION_TIMES[1]) })).exists).toBe(true);
  });

  it("lists versions stored without their listing JSON (rows other writers made) exactly as ingested ones", async () => {
    const other = await env.makeRepo("listing-json");
    const header = { v: 1 as const, kind: "header" as const, format: "mirror" as const, time: SESSION_TIMES[0], previousTime: null };
    const entries: ChangeSetEntry[] = [
      { v: 1, change: "new", path: "", type: "dir" },
      // a mtime on half a millisecond: the stored column and the listing JSON must round it alike
      { v: 1, change: "new", path: 'q"uote\\\n.txt', type: "file", size: 2 ** 40, mtime: 1_700_000_000.0625, mode: 0o640, uid: 7, gid: 8, sha1: "ab".repeat(20) },
      { v: 1, change: "new", path: "link", type: "symlink", linkTarget: "../a/ü", mtime: -1.5 },
      { v: 1, change: "new", path: "raw", type: "file", pathBase64: Buffer.from([0x72, 0xff]).toString("base64") },
    ];
    await cat.ingestChangeSet(db(), { repositoryId: other, header, entries });
    const list = () => cat.listDirectory(env.admin, other, { at: String(SESSION_TIMES[0]) });
    const ingested = await list();
    expect(ingested.entries.map((e) => [e.name, e.mtime?.getTime() ?? null, e.pathBase64])).toEqual([
      ["link", -1500, null],
      ['q"uote\\\n.txt', 1_700_000_000_063, null],
      ["r\\xff", null, "cv8="],
    ]);
    const { entryJsonOf } = await import("./sql");
    const [{ n }] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "FileVersion" f
      WHERE f."repositoryId" = ${other}::uuid AND f."entryJson" IS DISTINCT FROM ${entryJsonOf("f")}`;
    expect(n).toBe(0);
    await db().$executeRaw`UPDATE "FileVersion" SET "entryJson" = NULL WHERE "repositoryId" = ${other}::uuid`;
    expect(await list()).toEqual(ingested);
  });

  it("gives each path's history with new, changed and deleted events", async () => {
    const h = await cat.fileHistory(env.viewer, repoId, "new.txt");
    expect(h.events.map((e) => [e.change, e.time.getTime() / 1000])).toEqual([
      ["new", SESSION_TIMES[1]],
      ["deleted", SESSION_TIMES[2]],
      ["new", SESSION_TIMES[3]],
    ]);
    const x = await cat.fileHistory(env.viewer, repoId, "x");
    expect(x.events.map((e) => [e.change, "type" in e ? e.type : null])).toEqual([["new", "file"], ["changed", "dir"]]);
    await expect(cat.fileHistory(env.viewer, repoId, "nope")).rejects.toMatchObject({ code: "not_found" });
  });

  it("finds versions by substring and glob, in one repository or all visible ones", async () => {
    const one = await cat.searchVersions(env.viewer, { repoId, q: "new" });
    expect(one.results.map((r) => r.validFrom.getTime() / 1000)).toEqual([SESSION_TIMES[3], SESSION_TIMES[1]]);
    const glob = await cat.searchVersions(env.viewer, { repoId, q: "*.txt" });
    expect(new Set(glob.results.map((r) => r.path))).toEqual(new Set(["a.txt", "dir/b.txt", "dir/sub/c.txt", "new.txt", "x/inner.txt"]));
    const all = await cat.searchVersions(env.viewer, { q: "c.txt" });
    expect(new Set(all.results.map((r) => r.repositoryName))).toEqual(new Set(["web1-mirror", "from-change-sets"]));
    expect((await cat.searchVersions(env.outsider, { q: "c.txt" })).results).toEqual([]);
  });

  it("tells what was new, changed and deleted between two times", async () => {
    const c = await cat.changesBetween(env.viewer, repoId, String(SESSION_TIMES[0]), String(SESSION_TIMES[2]));
    expect(c.new.map((e) => e.path)).toEqual(["x/inner.txt"]);
    expect(c.deleted.map((e) => e.path)).toEqual(["dir/b.txt", "dir/sub", "dir/sub/c.txt"]);
    // the fixture keeps directory mtimes fixed, so only files, links and the type change count
    expect(c.changed.map((e) => e.path)).toEqual(["a.txt", "link", "x"]);
    const back = await cat.changesBetween(env.viewer, repoId, String(SESSION_TIMES[3]), String(SESSION_TIMES[2]));
    expect(back.new.map((e) => e.path)).toEqual(["new.txt"]);
  });

  it("lists increments with counts and refuses a time before the first", async () => {
    const incs = await cat.listIncrements(env.viewer, repoId);
    expect(incs.map((i) => [i.newCount, i.changedCount, i.deletedCount])).toEqual([[9, 0, 0], [2, 2, 1], [0, 1, 3], [1, 0, 0]]);
    expect(incs[0].fileCount).toBe(5);
    expect(incs[3].treeBytes).toBe(fx.trees[3].reduce((n, e) => n + e.size, 0));
    await expect(cat.resolveTime(env.viewer, repoId, String(SESSION_TIMES[0] - 1))).rejects.toMatchObject({ code: "not_found" });
    await expect(cat.resolveTime(env.viewer, repoId, "not a time")).rejects.toMatchObject({ code: "invalid" });
    const iso = new Date(SESSION_TIMES[2] * 1000).toISOString();
    expect((await cat.resolveTime(env.viewer, repoId, iso)).increment.time.toISOString()).toBe(iso);
  });

  it("hides the repository from a viewer without the host (404) and refuses unsafe paths (400)", async () => {
    await expect(cat.listDirectory(env.outsider, repoId, {})).rejects.toMatchObject({ code: "not_found" });
    await expect(cat.fileHistory(env.outsider, repoId, "a.txt")).rejects.toMatchObject({ code: "not_found" });
    for (const bad of ["../etc", "/etc", "a/../b", "a%2fb", "a\0b"]) {
      await expect(cat.listDirectory(env.viewer, repoId, { path: bad })).rejects.toMatchObject({ code: "invalid" });
    }
  });

  it("refuses an older session after a newer one", async () => {
    const entries: ChangeSetEntry[] = [];
    await expect(
      cat.ingestChangeSet(db(), { repositoryId: repoId, header: { v: 1, kind: "header", format: "mirror", time: SESSION_TIMES[0] + 5, previousTime: null }, entries }),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("keeps every remaining session's tree when old increments are removed", async () => {
    const r = await cat.removeIncrements(repoId, SESSION_TIMES.slice(0, 2));
    expect(r.removedIncrements).toBe(2);
    for (const i of [2, 3]) expect(await treeAt(env.admin, repoId, String(SESSION_TIMES[i]))).toEqual(fx.trees[i]);
    await expect(cat.resolveTime(env.admin, repoId, String(SESSION_TIMES[1]))).rejects.toMatchObject({ code: "not_found" });
    const left = await db().fileVersion.findMany({ where: { repositoryId: repoId } });
    expect(left.every((v) => v.validFrom.getTime() >= SESSION_TIMES[2] * 1000)).toBe(true);
    expect(left.some((v) => v.path === "dir/b.txt")).toBe(false);
    const incs = await cat.listIncrements(env.admin, repoId);
    expect(incs[0]).toMatchObject({ newCount: 7, changedCount: 0, deletedCount: 0 });
  });
});

describe("catalogue ingest of archive increments", () => {
  const day = (n: number) => 1_710_000_000 + n * 86_400;
  const member = (path: string, archive: string, size = 1, change: ChangeSetEntry["change"] = "new"): ChangeSetEntry => ({ v: 1, change, path, type: "file", size, archive });
  const names = async (repo: string, at: number) => (await cat.listDirectory(env.admin, repo, { at: String(at) })).entries.map((e) => `${e.name}:${e.size}`);

  it("treats a full archive as the whole tree and an incremental one as changes on top", async () => {
    const repo = await env.makeRepo("archives", { format: "archive" });
    const head = (t: number, prev: number | null) => ({ v: 1 as const, kind: "header" as const, format: "archive" as const, time: t, previousTime: prev });
    await cat.ingestChangeSet(db(), { repositoryId: repo, header: head(day(0), null), kind: "full", entries: ["a", "b", "c"].map((p) => member(p, "d0-full.tar.gz")) });
    await cat.ingestChangeSet(db(), { repositoryId: repo, header: head(day(1), day(0)), entries: [member("b", "d1.tar.gz", 2, "changed"), member("d", "d1.tar.gz")] });
    await cat.ingestChangeSet(db(), { repositoryId: repo, header: head(day(2), day(1)), kind: "full", entries: [member("a", "d2-full.tar.gz"), member("d", "d2-full.tar.gz", 4)] });
    expect(await names(repo, day(0))).toEqual(["a:1", "b:1", "c:1"]);
    expect(await names(repo, day(1))).toEqual(["a:1", "b:2", "c:1", "d:1"]);
    expect(await names(repo, day(2))).toEqual(["a:1", "d:4"]);
    const incs = await cat.listIncrements(env.admin, repo);
    expect(incs.map((i) => [i.kind, i.archives, i.fileCount, i.treeBytes])).toEqual([
      ["full", ["d0-full.tar.gz"], 3, 3],
      ["incremental", ["d1.tar.gz"], 4, 5],
      ["full", ["d2-full.tar.gz"], 2, 5],
    ]);
    const b = await cat.fileHistory(env.admin, repo, "b");
    expect(b.events.map((e) => [e.change, "archive" in e ? e.archive : null])).toEqual([["new", "d0-full.tar.gz"], ["changed", "d1.tar.gz"], ["deleted", null]]);
  });
});

describe("ingest inside a caller's transaction", () => {
  it("writes with the caller's transaction and rolls back with it", async () => {
    const repo = await env.makeRepo("in-tx");
    const header = { v: 1 as const, kind: "header" as const, format: "mirror" as const, time: 1_730_000_000, previousTime: null };
    const entries: ChangeSetEntry[] = [{ v: 1, change: "new", path: "a", type: "file", size: 1 }];
    await expect(
      db().$transaction(async (tx) => {
        await cat.ingestChangeSet(tx, { repositoryId: repo, header, entries });
        expect(await tx.fileVersion.count({ where: { repositoryId: repo } })).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await db().increment.count({ where: { repositoryId: repo } })).toBe(0);
    expect(await db().fileVersion.count({ where: { repositoryId: repo } })).toBe(0);
    await db().$transaction((tx) => cat.ingestChangeSet(tx, { repositoryId: repo, header, entries }));
    expect(await db().increment.count({ where: { repositoryId: repo } })).toBe(1);
  });
});

describe("names the batch must carry exactly", () => {
  it("stores quotes, backslashes, control characters and non-BMP names as sent, and refuses a lone surrogate", async () => {
    const repo = await env.makeRepo("odd-text");
    const names = ['q"uote', "back\\slash", "new\nline\ttab", "bell\u0007", "\\x41 literal", "emoji \u{1F600}.txt", "ünï cødé", "{brace},comma"];
    const header = { v: 1 as const, kind: "header" as const, format: "mirror" as const, time: 1_740_000_000, previousTime: null };
    const entries: ChangeSetEntry[] = [
      { v: 1, change: "new", path: "", type: "dir" },
      ...names.map((name, i): ChangeSetEntry => ({ v: 1, change: "new", path: name, type: "file", size: i, mtime: 1_700_000_000.5, mode: 0o600, uid: 0, gid: 0, sha1: "ab".repeat(20) })),
      { v: 1, change: "new", path: "link", type: "symlink", linkTarget: '../a"b\\c' },
    ];
    await cat.ingestChangeSet(db(), { repositoryId: repo, header, entries });
    const listed = (await cat.listDirectory(env.admin, repo, { at: String(header.time) })).entries;
    expect(listed.map((e) => e.name).sort()).toEqual([...names, "link"].sort());
    const bell = listed.find((e) => e.name === "bell\u0007")!;
    expect([bell.size, bell.mode, bell.mtime?.getTime()]).toEqual([3, 0o600, 1_700_000_000_500]);
    expect(listed.find((e) => e.name === "link")!.linkTarget).toBe('../a"b\\c');
    const bad = { ...header, time: header.time + 3600, previousTime: header.time };
    await expect(cat.ingestChangeSet(db(), { repositoryId: repo, header: bad, entries: [{ v: 1, change: "new", path: "x\ud800y", type: "file" }] }))
      .rejects.toMatchObject({ code: "invalid" });
    expect(await db().increment.count({ where: { repositoryId: repo } })).toBe(1);
  });
});

describe("removing increments from the middle", () => {
  it("moves changes to the next remaining increment and drops versions no remaining time sees", async () => {
    const repo = await env.makeRepo("middle");
    const t = (n: number) => 1_720_000_000 + n * 3600;
    const f = (path: string, size: number, change: ChangeSetEntry["change"] = "new"): ChangeSetEntry => ({ v: 1, change, path, type: "file", size });
    const sessions: ChangeSetEntry[][] = [[f("a", 1)], [f("a", 2, "changed"), f("b", 5)], [f("b", 0, "deleted")], [f("c", 3)]];
    for (const [i, entries] of sessions.entries()) {
      await cat.ingestChangeSet(db(), { repositoryId: repo, header: { v: 1, kind: "header", format: "mirror", time: t(i), previousTime: i ? t(i - 1) : null }, entries });
    }
    await cat.removeIncrements(repo, [t(1), t(2)]);
    const names = async (at: number) => (await cat.listDirectory(env.admin, repo, { at: String(at) })).entries.map((e) => `${e.name}:${e.size}`);
    expect(await names(t(0))).toEqual(["a:1"]);
    expect(await names(t(3))).toEqual(["a:2", "c:3"]);
    expect((await cat.fileHistory(env.admin, repo, "a")).events.map((e) => [e.change, e.time.getTime() / 1000])).toEqual([["new", t(0)], ["changed", t(3)]]);
    await expect(cat.fileHistory(env.admin, repo, "b")).rejects.toMatchObject({ code: "not_found" });
    const incs = await cat.listIncrements(env.admin, repo);
    expect(incs.map((i) => [i.newCount, i.changedCount, i.deletedCount])).toEqual([[1, 0, 0], [1, 1, 0]]);
  });
});
