// The folder download route on real PostgreSQL against a real agent data plane: zip and tar.gz of a folder
// at each increment unpack (unzip, GNU tar) to exactly the source tree of that time; rights and errors.
import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comparable, describeTree } from "@/agent/engines/mirror/read/test-trees";
import type { DownloadTestEnv } from "@/lib/agent-client/test-console";

let env: DownloadTestEnv;
let GET: typeof import("./route").GET;
let scratch: string;

beforeAll(async () => {
  const { setupDownloadTest } = await import("@/lib/agent-client/test-console");
  env = await setupDownloadTest();
  ({ GET } = await import("./route"));
  scratch = mkdtempSync(path.join(os.tmpdir(), "strata-archive-route-"));
}, 120_000);

afterAll(async () => {
  await env?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function call(token: string | null, query: Record<string, string>, id = env.repoId) {
  const url = `http://console.test/api/v1/repositories/${id}/archive?${new URLSearchParams(query)}`;
  return GET(new Request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }), { params: Promise.resolve({ id }) });
}

async function unpack(res: Response, format: "zip" | "tar.gz"): Promise<{ dest: string; file: string }> {
  const file = path.join(scratch, `a-${Math.random().toString(36).slice(2)}.${format}`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const dest = mkdtempSync(path.join(scratch, "x"));
  if (format === "zip") execFileSync("unzip", ["-q", file, "-d", dest]);
  else execFileSync("tar", ["-xzf", file, "-C", dest]);
  return { dest, file };
}

/** A tree without modes and mtimes of symlinks' parents (unzip restores file modes and mtimes, not dirs'). */
const shape = (dir: string, withDirTimes: boolean) =>
  comparable(describeTree(dir)).map((e) => (e.type === "dir" && !withDirTimes ? { ...e, mtime: undefined } : e));

describe("GET /api/v1/repositories/{id}/archive", () => {
  it("streams tar.gz of a folder at each increment that GNU tar unpacks to exactly that tree", async () => {
    for (const [i, t] of env.fx.sessions.entries()) {
      const res = await call(env.tokens.viewer, { path: "docs", at: String(t), format: "tar.gz" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/gzip");
      expect(res.headers.get("content-disposition")).toContain(`docs-${new Date(t * 1000).toISOString().slice(0, 19).replace(/:/g, "-")}.tar.gz`);
      const { dest } = await unpack(res, "tar.gz");
      expect(shape(path.join(dest, "docs"), true), `session ${i}`).toEqual(shape(path.join(env.fx.snapshots[i], "docs"), true));
    }
  });

  it("streams a zip of the whole repository at each increment that unzip unpacks to exactly that tree", async () => {
    for (const [i, t] of env.fx.sessions.entries()) {
      const res = await call(env.tokens.viewer, { path: "", at: String(t), format: "zip" });
      expect(res.status).toBe(200);
      const { dest, file } = await unpack(res, "zip");
      expect(execFileSync("unzip", ["-l", file]).toString()).toContain("web1/docs/a.txt");
      expect(shape(path.join(dest, "web1"), false), `session ${i}`).toEqual(shape(env.fx.snapshots[i], false));
    }
  });

  it("streams a stored zip with compression=store that unzip unpacks to exactly the tree", async () => {
    const t = env.fx.sessions[env.fx.sessions.length - 1];
    const res = await call(env.tokens.viewer, { path: "", at: String(t), format: "zip", compression: "store" });
    expect(res.status).toBe(200);
    const { dest, file } = await unpack(res, "zip");
    expect(execFileSync("zipinfo", ["-l", file]).toString().split("\n").filter((l) => l.startsWith("-")).every((l) => l.split(/\s+/)[6] === "stor")).toBe(true);
    expect(shape(path.join(dest, "web1"), false)).toEqual(shape(env.fx.snapshots[env.fx.sessions.length - 1], false));
  });

  it("answers a real HTTP error, not a truncated 200, when the agent fails before the first byte", async () => {
    const mirrorFile = path.join(env.fx.repo, "docs/a.txt");
    renameSync(mirrorFile, `${mirrorFile}.away`);
    try {
      const res = await call(env.tokens.viewer, { path: "docs", format: "zip" });
      expect(res.status).toBe(502);
      expect((await res.json()).error.message).toContain('Cannot download "docs"');
    } finally {
      renameSync(`${mirrorFile}.away`, mirrorFile);
    }
    const { prisma } = env.tdb;
    const agent = await prisma.agent.findFirstOrThrow({ select: { id: true, url: true } });
    await prisma.agent.update({ where: { id: agent.id }, data: { url: "http://127.0.0.1:1" } });
    try {
      const res = await call(env.tokens.viewer, { path: "docs", format: "tar.gz" });
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe("unavailable");
    } finally {
      await prisma.agent.update({ where: { id: agent.id }, data: { url: agent.url } });
    }
  });

  it("answers 404 for a folder absent then or a hidden repository, 400 for a file or bad format, 401 without a valid token", async () => {
    expect((await call(env.tokens.viewer, { path: "docs/sub", at: String(env.fx.sessions[0] - 1) })).status).toBe(404);
    expect((await call(env.tokens.viewer, { path: "nope" })).status).toBe(404);
    expect((await call(env.tokens.outsider, { path: "docs" })).status).toBe(404);
    expect((await call(env.tokens.viewer, { path: "docs/a.txt" })).status).toBe(400);
    expect((await call(env.tokens.viewer, { path: "docs", format: "rar" })).status).toBe(400);
    expect((await call(env.tokens.viewer, { path: "docs", compression: "best" })).status).toBe(400);
    expect((await call(env.tokens.viewer, { path: "../x" })).status).toBe(400);
    expect((await call("pat_bogus", { path: "docs" })).status).toBe(401);
  });
});
