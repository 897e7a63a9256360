// Names that are not valid UTF-8, on real PostgreSQL: a repository written by the real rdiff-backup (imported
// through the agent's read API) and one written by Strata's engine (its own change sets) both list such files
// under an escaped name (\xHH), keep their exact bytes (pathBase64), and keep two names that differ only in an
// invalid byte apart; history and search find them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupCatalogueTest, type CatalogueTestEnv } from "./test-setup";

const T = [1_700_000_000, 1_700_086_400];
const bytes = (s: string) => Buffer.from(s, "latin1");
/** Raw names (latin1 strings stand for single bytes): café in Latin-1, a directory "d\xff", two names one invalid byte apart. */
const CAFE = bytes("caf\xe9.txt");
const DIR = bytes("d\xff");
const X1 = bytes("x\xfe");
const X2 = bytes("x\xfd");

let env: CatalogueTestEnv;
let cat: typeof import("./index");
let stream: typeof import("./stream");
let db: typeof import("@/lib/db").db;
let work: string;

/** Two sessions of `src`: café changes between them. */
function writeSource(src: string, session: number) {
  const p = (...parts: Buffer[]) => Buffer.concat([Buffer.from(src + "/"), ...parts]);
  if (session === 0) {
    mkdirSync(p(DIR));
    writeFileSync(p(DIR, Buffer.from("/inner.txt")), "inside an odd directory\n");
    writeFileSync(p(X1), "one\n");
    writeFileSync(p(X2), "two\n");
    writeFileSync(join(src, "plain.txt"), "plain\n");
  }
  writeFileSync(p(CAFE), session === 0 ? "first\n" : "second, longer\n");
}

beforeAll(async () => {
  env = await setupCatalogueTest();
  cat = await import("./index");
  stream = await import("./stream");
  db = (await import("@/lib/db")).db;
  work = mkdtempSync(join(tmpdir(), "strata-raw-names-"));
}, 60_000);

afterAll(async () => {
  await db?.().$disconnect();
  await env?.tdb.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function expectCatalogue(repoId: string) {
  const root = await cat.listDirectory(env.viewer, repoId, { at: String(T[1]) });
  const byName = new Map(root.entries.map((e) => [e.name, e]));
  expect([...byName.keys()].sort()).toEqual(["caf\\xe9.txt", "d\\xff", "plain.txt", "x\\xfd", "x\\xfe"]);
  expect(Buffer.from(byName.get("caf\\xe9.txt")!.pathBase64!, "base64").equals(CAFE)).toBe(true);
  expect(Buffer.from(byName.get("x\\xfe")!.pathBase64!, "base64").equals(X1)).toBe(true);
  expect(Buffer.from(byName.get("x\\xfd")!.pathBase64!, "base64").equals(X2)).toBe(true);
  expect(byName.get("plain.txt")!.pathBase64).toBeNull();
  expect(byName.get("caf\\xe9.txt")).toMatchObject({ type: "file", size: 15, changedInThisIncrement: true });
  expect(byName.get("x\\xfe")).toMatchObject({ type: "file", size: 4 });

  const inner = await cat.listDirectory(env.viewer, repoId, { path: "d\\xff", at: String(T[1]) });
  expect(inner.exists).toBe(true);
  expect(inner.entries.map((e) => [e.path, Buffer.from(e.pathBase64!, "base64").equals(Buffer.concat([DIR, Buffer.from("/inner.txt")]))])).toEqual([["d\\xff/inner.txt", true]]);

  const history = await cat.fileHistory(env.viewer, repoId, "caf\\xe9.txt");
  expect(history.events.map((e) => [e.change, e.time.getTime() / 1000, "size" in e ? e.size : null])).toEqual([["new", T[0], 6], ["changed", T[1], 15]]);
  expect(history.events.every((e) => "pathBase64" in e && Buffer.from(e.pathBase64!, "base64").equals(CAFE))).toBe(true);

  const found = await cat.searchVersions(env.viewer, { repoId, q: "caf" });
  expect(found.results.map((r) => [r.path, Buffer.from(r.pathBase64!, "base64").equals(CAFE)])).toEqual([["caf\\xe9.txt", true], ["caf\\xe9.txt", true]]);
}

describe("names that are not valid UTF-8", () => {
  it("imports a repository the real rdiff-backup wrote: escaped names, exact bytes, distinct near-identical names", async () => {
    const src = join(work, "src-rdiff"), repo = join(work, "repo-rdiff");
    mkdirSync(src);
    for (const [i, t] of T.entries()) {
      writeSource(src, i);
      execFileSync("rdiff-backup", ["--current-time", String(t), "backup", src, repo], { stdio: "pipe" });
    }
    const { openRepository, readVersions } = await import("@/agent/engines/mirror/read/index");
    const repoId = await env.makeRepo("rdiff-raw");
    for await (const s of stream.changeSetSessions(readVersions(await openRepository(repo)))) {
      await cat.ingestChangeSet(db(), { repositoryId: repoId, header: s.header, entries: s.entries });
    }
    await expectCatalogue(repoId);
    // Stored bytes are the rows' own: a second import of the same sessions changes nothing.
    const before = await db().fileVersion.count({ where: { repositoryId: repoId } });
    for await (const s of stream.changeSetSessions(readVersions(await openRepository(repo)))) {
      expect((await cat.ingestChangeSet(db(), { repositoryId: repoId, header: s.header, entries: s.entries })).created).toBe(false);
    }
    expect(await db().fileVersion.count({ where: { repositoryId: repoId } })).toBe(before);
    const raw = await db().fileVersion.findFirst({ where: { repositoryId: repoId, path: "caf\\xe9.txt" }, select: { rawPath: true } });
    expect(Buffer.from(raw!.rawPath!).equals(CAFE)).toBe(true);
  }, 60_000);

  it("ingests the change sets Strata's engine wrote for such names", async () => {
    const { backupSession } = await import("@/agent/engines/mirror/index");
    const { openLocalSource } = await import("@/agent/sources/local");
    const src = join(work, "src-strata"), repo = join(work, "repo-strata");
    mkdirSync(src);
    const repoId = await env.makeRepo("strata-raw");
    for (const [i, t] of T.entries()) {
      writeSource(src, i);
      const cs = join(work, `cs${i}.ndjson`);
      const r = await backupSession({ source: await openLocalSource(src), repo, selection: [], currentTime: t, force: false, changeSetFile: cs, callbacks: { onLog: () => {}, onItemError: () => {} } });
      expect(r.status).toBe("success");
      const records = readFileSync(cs, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      for await (const s of stream.changeSetSessions((async function* () { yield* records; })())) {
        await cat.ingestChangeSet(db(), { repositoryId: repoId, header: s.header, entries: s.entries });
      }
    }
    await expectCatalogue(repoId);
  }, 60_000);

  it("refuses exact bytes that could escape (NUL, .., absolute) with a clear error and stores nothing", async () => {
    const repoId = await env.makeRepo("raw-bad");
    for (const bad of ["a\0b", "../x\xff", "/etc/x\xff", "ok/./x\xff"]) {
      const entries = [{ v: 1 as const, change: "new" as const, path: "lossy", pathBase64: bytes(bad).toString("base64"), type: "file" as const, size: 1 }];
      await expect(cat.ingestChangeSet(db(), { repositoryId: repoId, header: { v: 1, kind: "header", format: "mirror", time: T[0], previousTime: null }, entries })).rejects.toMatchObject({ code: "invalid" });
    }
    expect(await db().fileVersion.count({ where: { repositoryId: repoId } })).toBe(0);
    expect(await db().increment.count({ where: { repositoryId: repoId } })).toBe(0);
  });
});

describe("catalogueTextOf", () => {
  it("keeps valid UTF-8 as is and escapes only the invalid bytes", async () => {
    const { catalogueTextOf } = await import("./paths");
    expect(catalogueTextOf(Buffer.from("naïve/日本.txt"))).toEqual({ path: "naïve/日本.txt", rawPath: null });
    const t = catalogueTextOf(Buffer.concat([Buffer.from("é"), bytes("\xe9\xc3"), Buffer.from("/ok")]));
    expect(t.path).toBe("é\\xe9\\xc3/ok");
    expect(t.rawPath!.equals(Buffer.concat([Buffer.from("é"), bytes("\xe9\xc3"), Buffer.from("/ok")]))).toBe(true);
    // Overlong encodings and UTF-16 surrogates are not valid UTF-8 either.
    expect(catalogueTextOf(bytes("\xc0\xaf")).path).toBe("\\xc0\\xaf");
    expect(catalogueTextOf(bytes("\xed\xa0\x80")).path).toBe("\\xed\\xa0\\x80");
  });
});
