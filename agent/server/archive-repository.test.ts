// The data plane on whole archive repositories: /v1/versions replayed session by session gives each day's
// tree (deletions and directory renames included), /v1/file serves every file of every day (with the
// archive the versions named, and without), /v1/tree gives each day's folder as tar. On the repository the
// real backup-manager wrote (fixture) and on one Strata wrote (tar.zst with index sidecars, several blocks).
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDay } from "@/agent/engines/archive/naming";
import { runTarballMethod } from "@/agent/engines/archive/tarball";
import { dumpPipes } from "@/agent/engines/dump/pipe";
import { readTar } from "@/agent/engines/archive/tar-read";
import { extractFixture, sh, tempDir } from "@/agent/engines/archive/test-helpers";
import { startDataPlane, type DataPlane } from "./index";
import { signedGet } from "./test-client";

const SECRET = "archive-repo-secret";
/** Expected tree: relative path → "file:CONTENT" | "link:TARGET" | "dir". */
type Expected = Record<string, string>;

interface Session {
  time: number;
  entries: { change: string; path: string; type: string; archive?: string; linkTarget?: string; size?: number }[];
}

async function versions(plane: DataPlane, repo: string): Promise<Session[]> {
  const res = await signedGet(plane.url, SECRET, "/v1/versions", { repo, format: "archive" });
  expect(res.status).toBe(200);
  const lines = (await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  expect(lines[lines.length - 1]).toEqual({ v: 1, kind: "end" });
  const out: Session[] = [];
  for (const l of lines.slice(0, -1)) {
    if (l.kind === "header") {
      expect(l.format).toBe("archive");
      expect(l.previousTime).toBe(out.length ? out[out.length - 1].time : null);
      out.push({ time: l.time, entries: [] });
    } else out[out.length - 1].entries.push(l);
  }
  return out;
}

/** Applies the change sets in order; returns each session's catalogue view (path → entry). */
function replay(sessions: Session[]) {
  const state = new Map<string, Session["entries"][number]>();
  return sessions.map((s) => {
    for (const e of s.entries) {
      if (e.change === "deleted") state.delete(e.path);
      else state.set(e.path, e);
    }
    return new Map(state);
  });
}

/** The catalogue view under `base`, as an Expected tree (file contents fetched through /v1/file). */
async function viewAsTree(plane: DataPlane, repo: string, view: Map<string, Session["entries"][number]>, base: string, at: number, withArchive: boolean): Promise<Expected> {
  const out: Expected = {};
  for (const [p, e] of view) {
    if (!p.startsWith(base + "/")) continue;
    const rel = p.slice(base.length + 1);
    if (e.type === "dir") out[rel] = "dir";
    else if (e.type === "symlink") out[rel] = `link:${e.linkTarget}`;
    else {
      const res = await signedGet(plane.url, SECRET, "/v1/file", { repo, format: "archive", path: p, at, ...(withArchive ? { archive: e.archive! } : {}) });
      expect(res.status, `${p} at ${at}`).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBe(e.size);
      out[rel] = `file:${body.toString("latin1")}`;
    }
  }
  return out;
}

async function treeAsExpected(plane: DataPlane, repo: string, p: string, at: number): Promise<Expected> {
  const res = await signedGet(plane.url, SECRET, "/v1/tree", { repo, format: "archive", path: p, at, prefix: "" });
  expect(res.status).toBe(200);
  const out: Expected = {};
  for await (const m of readTar(Readable.fromWeb(res.body as never) as AsyncIterable<Buffer>, () => true)) {
    const name = m.name.replace(/\/$/, "");
    out[name] = m.type === "5" ? "dir" : m.type === "2" ? `link:${m.linkname}` : `file:${(m.data ?? Buffer.alloc(0)).toString("latin1")}`;
  }
  return out;
}

let plane: DataPlane;
const tmp = tempDir("dataplane-archive-repo");
beforeAll(async () => {
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [tmp.dir], secret: () => SECRET });
});
afterAll(async () => {
  await plane?.close();
  tmp.cleanup();
});

describe("archive repository written by the real backup-manager (fixture)", () => {
  const v1: Expected = { "a.txt": "file:alpha v1\n", "b.txt": "file:bravo v1\n", "link-to-a": "link:a.txt", sub: "dir", "sub/c.txt": "file:charlie v1\n", sub2: "dir", "sub2/d.txt": "file:delta v1\n" };
  const drop = (t: Expected, ...keys: string[]): Expected => Object.fromEntries(Object.entries(t).filter(([k]) => !keys.includes(k)));
  const d2: Expected = { ...v1, "a.txt": "file:alpha v2\n", "new.txt": "file:new v1\n" };
  const d3 = drop(d2, "b.txt");
  const d4: Expected = { ...d3, "sub/c.txt": "file:charlie v2\n" };
  const d7: Expected = { ...drop(d4, "sub2", "sub2/d.txt"), "my file.txt": "file:spaced v1\n", "sub/e.txt": "file:echo v1\n", sub3: "dir", "sub3/d.txt": "file:delta v1\n" };
  const d8: Expected = { ...drop(d7, "sub", "sub/c.txt", "sub/e.txt"), "new.txt": "file:new v2\n" };
  const d9: Expected = { ...d8, "link-to-a": "link:new.txt" };
  const d10: Expected = { ...d9, emptydir: "dir" };
  const d12: Expected = { ...d10, "a.txt": "file:alpha v3\n" };
  const days: Expected[] = [v1, d2, d3, d4, d4, d4, d7, d8, d9, d10, d10, d12];
  const base = "tmp/bmfix/data";

  it("versions: one session per day; replaying them gives each day's tree; /v1/file serves every file with and without the archive name; /v1/tree matches", async () => {
    const dir = path.join(tmp.dir, "bm");
    mkdirSync(dir);
    extractFixture(dir);
    const repo = "bm/repo";
    const sessions = await versions(plane, repo);
    expect(sessions.map((s) => s.time)).toEqual(days.map((_, i) => Math.floor(parseDay(`202701${String(i + 1).padStart(2, "0")}`).getTime() / 1000)));
    const views = replay(sessions);
    // The first session creates the folders above the target; a full archive lists every member again.
    expect(views[0].get("tmp")?.type).toBe("dir");
    expect(sessions[3].entries.filter((e) => e.type === "file").map((e) => e.archive)).toEqual(
      expect.arrayContaining(["bmhost-tmp-bmfix-data.20270104.master.tar.gz"]),
    );
    // Deletions come from the dumpdirs: b.txt on 01-03, sub/ and its files on 01-08.
    expect(sessions[2].entries).toContainEqual({ v: 1, change: "deleted", path: `${base}/b.txt`, type: "file" });
    expect(sessions[7].entries.filter((e) => e.change === "deleted").map((e) => e.path).sort()).toEqual([`${base}/sub`, `${base}/sub/c.txt`, `${base}/sub/e.txt`]);
    // A no-change incremental reports nothing.
    expect(sessions[4].entries).toEqual([]);
    for (let i = 0; i < days.length; i++) {
      const at = sessions[i].time + 3600;
      expect(await viewAsTree(plane, repo, views[i], base, at, true), `day ${i + 1} via archive names`).toEqual(days[i]);
      expect(await viewAsTree(plane, repo, views[i], base, at, false), `day ${i + 1} via the tree at that time`).toEqual(days[i]);
      expect(await treeAsExpected(plane, repo, base, at), `tree of day ${i + 1}`).toEqual(days[i]);
    }
    // sub3/d.txt after the rename is read from the 01-04 master under its old member name.
    const d = views[6].get(`${base}/sub3/d.txt`)!;
    expect(d.archive).toBe("bmhost-tmp-bmfix-data.20270104.master.tar.gz");
  }, 120_000);

  it("refuses folders, links, missing paths and times before the first archive", async () => {
    const at = Math.floor(parseDay("20270105").getTime() / 1000);
    const get = (q: Record<string, string | number>) => signedGet(plane.url, SECRET, "/v1/file", { repo: "bm/repo", format: "archive", ...q });
    expect((await get({ path: `${base}/sub`, at })).status).toBe(400);
    expect((await get({ path: `${base}/link-to-a`, at })).status).toBe(400);
    expect((await get({ path: `${base}/b.txt`, at })).status).toBe(404);
    expect((await get({ path: `${base}/a.txt`, at: at - 30 * 86400 })).status).toBe(404);
    expect((await signedGet(plane.url, SECRET, "/v1/tree", { repo: "bm/repo", format: "archive", path: `${base}/a.txt`, at })).status).toBe(400);
    expect((await signedGet(plane.url, SECRET, "/v1/tree", { repo: "bm/repo", format: "archive", path: "nope", at })).status).toBe(404);
  });
});

describe("a tampered archive", () => {
  it("never yields member names that escape (.. segments): not in versions, not in a folder download", async () => {
    const dir = path.join(tmp.dir, "tampered");
    const src = path.join(dir, "src");
    mkdirSync(src, { recursive: true });
    writeFileSync(path.join(src, "ok.txt"), "fine\n");
    writeFileSync(path.join(src, "evil.txt"), "evil\n");
    sh(["tar", "-P", "-cf", path.join(dir, "h-x.20270301.master.tar"), "-C", src, "--transform", "s,^evil,../../evil,", "ok.txt", "evil.txt"]);
    expect(sh(["tar", "-tf", path.join(dir, "h-x.20270301.master.tar")])).toContain("../../evil.txt");
    const paths = (await versions(plane, "tampered")).flatMap((s) => s.entries.map((e) => e.path));
    expect(paths).toContain("ok.txt");
    expect(paths.some((p) => p.includes(".."))).toBe(false);
    const tree = await treeAsExpected(plane, "tampered", "", Math.floor(parseDay("20270302").getTime() / 1000));
    expect(tree).toEqual({ "ok.txt": "file:fine\n" });
  });
});

describe("archive repository written by Strata (tar.zst, index sidecars, small blocks)", () => {
  it("versions, files (ranges too) and trees of each day, deletions and a renamed folder included", async () => {
    const src = path.join(tmp.dir, "strata-src");
    const repoDir = path.join(tmp.dir, "strata-repo");
    mkdirSync(path.join(src, "docs"), { recursive: true });
    mkdirSync(repoDir);
    const big = randomBytes(700_000);
    writeFileSync(path.join(src, "docs/readme.txt"), "read me v1\n");
    writeFileSync(path.join(src, "big.bin"), big);
    writeFileSync(path.join(src, "gone.txt"), "to be deleted\n");
    symlinkSync("docs/readme.txt", path.join(src, "link"));
    const snap = (): Expected => {
      const out: Expected = {};
      const walk = (d: string, rel: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          const r = rel ? `${rel}/${e.name}` : e.name;
          const p = path.join(d, e.name);
          if (e.isSymbolicLink()) out[r] = `link:${readlinkSync(p)}`;
          else if (e.isDirectory()) {
            out[r] = "dir";
            walk(p, r);
          } else out[r] = `file:${readFileSync(p).toString("latin1")}`;
        }
      };
      walk(src, "");
      return out;
    };
    const run = (day: string) =>
      runTarballMethod(
        { repository: repoDir, prefix: "h", now: parseDay(day), permissions: {}, purgeDuplicates: false, callbacks: {}, blockSize: 64 * 1024 },
        { targets: [src], nameFormat: "long", fileType: "tar.zst", blacklist: [], dumpSymlinks: false, incremental: { frequency: "weekly", value: 1 } },
      );
    const expected: Expected[] = [];
    await run("20270301");
    expected.push(snap());
    writeFileSync(path.join(src, "docs/readme.txt"), "read me v2\n");
    unlinkSync(path.join(src, "gone.txt"));
    writeFileSync(path.join(src, "big.bin"), Buffer.concat([big.subarray(0, 100_000), Buffer.from("patched"), big.subarray(100_007)]));
    await run("20270302");
    expected.push(snap());
    renameSync(path.join(src, "docs"), path.join(src, "papers"));
    writeFileSync(path.join(src, "new.txt"), "new\n");
    await run("20270303");
    expected.push(snap());
    const sessions = await versions(plane, "strata-repo");
    expect(sessions).toHaveLength(3);
    const views = replay(sessions);
    const base = src.slice(1);
    for (let i = 0; i < 3; i++) {
      const at = sessions[i].time;
      expect(await viewAsTree(plane, "strata-repo", views[i], base, at, true), `day ${i + 1}`).toEqual(expected[i]);
      expect(await treeAsExpected(plane, "strata-repo", base, at), `tree of day ${i + 1}`).toEqual(expected[i]);
    }
    // The renamed folder's file still comes from the master, under its old member name.
    expect(views[2].get(`${base}/papers/readme.txt`)?.archive).toMatch(/\.20270302\.tar\.zst$/);
    // A range of the big file of day 2, through the index.
    const e = views[1].get(`${base}/big.bin`)!;
    const part = await signedGet(plane.url, SECRET, "/v1/file", { repo: "strata-repo", format: "archive", path: `${base}/big.bin`, at: sessions[1].time, archive: e.archive!, offset: 99_990, length: 30 });
    expect(part.headers.get("x-strata-size")).toBe("700000");
    expect(Buffer.from(await part.arrayBuffer()).toString("latin1")).toBe(Buffer.concat([big.subarray(99_990, 100_000), Buffer.from("patched"), big.subarray(100_007, 100_020)]).toString("latin1"));
    // Dumps and pipe outputs are versions of one path each (the file as stored, here gzip).
    for (const [day, text] of [["20270301", "one\n"], ["20270303", "three\n"]]) {
      const ctx = { repository: repoDir, prefix: "h", now: parseDay(day), permissions: {}, purgeDuplicates: false, callbacks: {} };
      await dumpPipes(ctx, [{ name: "notes", command: ["printf", text], fileType: "txt", compression: "gzip" }]);
    }
    const withDumps = await versions(plane, "strata-repo");
    const dumpEntries = withDumps.map((s) => s.entries.filter((e) => e.path === "h-notes.txt.gz").map((e) => `${e.change}:${e.archive}`));
    expect(dumpEntries).toEqual([["new:h-notes.20270301.txt.gz"], [], ["changed:h-notes.20270303.txt.gz"]]);
    for (const [i, text] of [[0, "one\n"], [1, "one\n"], [2, "three\n"]] as const) {
      const res = await signedGet(plane.url, SECRET, "/v1/file", { repo: "strata-repo", format: "archive", path: "h-notes.txt.gz", at: withDumps[i].time });
      expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(text);
    }
    // A sub-folder alone.
    const sub = await treeAsExpected(plane, "strata-repo", `${base}/papers`, sessions[2].time);
    expect(sub).toEqual({ "readme.txt": "file:read me v2\n" });
    rmSync(src, { recursive: true });
  }, 120_000);
});
