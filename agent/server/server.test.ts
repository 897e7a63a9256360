import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeSetEntry, changeSetHeader } from "@/lib/schemas/change-set";
import { comparable, describeTree } from "@/agent/engines/mirror/read/test-trees";
import { startDataPlane, type DataPlane } from "./index";
import { makeMirrorFixture, type MirrorFixture } from "./test-fixture";
import { signedGet } from "./test-client";

const SECRET = "test-secret-0123456789";
let fx: MirrorFixture;
let plane: DataPlane;
let scratch: string;
const get = (p: string, q: Record<string, string | number> = {}) => signedGet(plane.url, SECRET, p, q);
const sha1 = (b: Buffer) => createHash("sha1").update(b).digest("hex");

beforeAll(async () => {
  fx = makeMirrorFixture();
  scratch = mkdtempSync(path.join(os.tmpdir(), "strata-dataplane-out-"));
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [fx.root], secret: () => SECRET });
}, 60_000);

afterAll(async () => {
  await plane?.close();
  fx?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("agent data plane", () => {
  it("streams every session's change set as NDJSON, ending with an end marker", async () => {
    const res = await get("/v1/versions", { repo: "web1", format: "mirror" });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ v: 1, kind: "end" });
    const headers = lines.filter((l) => l.kind === "header").map((l) => changeSetHeader.parse(l));
    expect(headers.map((h) => [h.time, h.previousTime])).toEqual([
      [fx.sessions[0], null],
      [fx.sessions[1], fx.sessions[0]],
      [fx.sessions[2], fx.sessions[1]],
    ]);
    const bySession: Record<string, string>[] = [];
    for (const l of lines.slice(0, -1)) {
      if (l.kind === "header") bySession.push({});
      else bySession.at(-1)![changeSetEntry.parse(l).path] = l.change;
    }
    expect(Object.keys(bySession[0]).sort()).toEqual(["", "docs", "docs/a.txt", "docs/big.bin", "docs/naïve name & space.txt", "docs/sub", "docs/sub/c.txt", "link-to-a", "top.txt"]);
    expect(bySession[1]).toMatchObject({ "docs/a.txt": "changed", "docs/big.bin": "changed", "docs/new.txt": "new", "top.txt": "deleted" });
    expect(bySession[2]).toMatchObject({ "docs/a.txt": "changed", "docs/new.txt": "deleted" });
  });

  it("serves each file's bytes as they were at each session, and byte ranges of them", async () => {
    for (const [i, at] of fx.sessions.entries()) {
      for (const p of ["docs/a.txt", "docs/big.bin", "docs/naïve name & space.txt"]) {
        const res = await get("/v1/file", { repo: "web1", format: "mirror", path: p, at });
        expect(res.status, `${p} at session ${i}`).toBe(200);
        const want = readFileSync(path.join(fx.snapshots[i], p));
        expect(res.headers.get("x-strata-size")).toBe(String(want.length));
        expect(sha1(Buffer.from(await res.arrayBuffer())), `${p} at session ${i}`).toBe(sha1(want));
      }
    }
    const want = readFileSync(path.join(fx.snapshots[0], "docs/big.bin"));
    const res = await get("/v1/file", { repo: "web1", format: "mirror", path: "docs/big.bin", at: fx.sessions[0] + 5, offset: 4000, length: 70_000 });
    expect(Buffer.from(await res.arrayBuffer()).equals(want.subarray(4000, 74_000))).toBe(true);
    const now = readFileSync(path.join(fx.snapshots[2], "docs/big.bin"));
    for (const [offset, length] of [[0, 10], [5000, 100_000], [now.length - 7, 100], [now.length + 5, 10]]) {
      const r = await get("/v1/file", { repo: "web1", format: "mirror", path: "docs/big.bin", at: fx.sessions[2], offset, length });
      expect(Buffer.from(await r.arrayBuffer()).equals(now.subarray(offset, offset + length)), `current ${offset}+${length}`).toBe(true);
    }
  });

  it("answers 404 for a deleted path or a time before the first session, 400 for a directory or symlink", async () => {
    const q = { repo: "web1", format: "mirror" };
    const status = async (query: Record<string, string | number>) => {
      const res = await get("/v1/file", { ...q, ...query });
      return [res.status, (await res.json()).error.message];
    };
    expect(await status({ path: "top.txt", at: fx.sessions[1] })).toEqual([404, '"top.txt" does not exist at that time']);
    expect((await status({ path: "docs/a.txt", at: fx.sessions[0] - 1 }))[0]).toBe(404);
    expect(await status({ path: "docs", at: fx.sessions[0] })).toEqual([400, '"docs" is a directory']);
    expect(await status({ path: "link-to-a", at: fx.sessions[0] })).toEqual([400, '"link-to-a" is a symbolic link to "docs/a.txt"']);
    expect((await status({ path: "docs/a.txt", at: "yesterday" }))[0]).toBe(400);
  });

  it("streams a folder at each session as a tar that GNU tar extracts to exactly that tree", async () => {
    for (const [i, at] of fx.sessions.entries()) {
      for (const sub of ["docs", ""]) {
        const res = await get("/v1/tree", { repo: "web1", format: "mirror", path: sub, at, prefix: "out" });
        expect(res.status).toBe(200);
        const tarFile = path.join(scratch, `t${i}.tar`);
        writeFileSync(tarFile, Buffer.from(await res.arrayBuffer()));
        const dest = mkdtempSync(path.join(scratch, "x"));
        execFileSync("tar", ["-xf", tarFile, "-C", dest]);
        expect(comparable(describeTree(path.join(dest, "out"))), `"${sub}" at session ${i}`).toEqual(comparable(describeTree(path.join(fx.snapshots[i], sub))));
      }
    }
  });

  it("refuses unsigned, expired-looking and wrongly signed requests with 401", async () => {
    const q = { repo: "web1", format: "mirror", path: "docs/a.txt", at: fx.sessions[0] };
    expect((await signedGet(plane.url, null, "/v1/file", q)).status).toBe(401);
    expect((await signedGet(plane.url, "wrong-secret", "/v1/file", q)).status).toBe(401);
    expect((await signedGet(plane.url, null, "/v1/health")).status).toBe(401);
    const exp = Math.floor(Date.now() / 1000) - 5;
    const res = await fetch(new URL("/v1/health", plane.url), { headers: { "x-strata-expires": String(exp), "x-strata-signature": "0".repeat(64) } });
    expect(res.status).toBe(401);
    expect((await get("/v1/health")).status).toBe(200);
  });

  it("refuses repository and inner paths that escape: .., absolute outside the roots, symlinks out, NUL", async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), "strata-outside-"));
    try {
      execFileSync("cp", ["-a", fx.repo, path.join(outside, "copy")]);
      symlinkSync(path.join(outside, "copy"), path.join(fx.root, "sneaky"));
      const at = fx.sessions[0];
      const file = (repo: string, p = "docs/a.txt") => get("/v1/file", { repo, format: "mirror", path: p, at });
      expect((await file("../web1")).status).toBe(400);
      expect((await file("web1/../../")).status).toBe(400);
      expect((await file(path.join(outside, "copy"))).status).toBe(403);
      expect((await file("sneaky")).status).toBe(403);
      expect((await file("/etc")).status).toBe(403);
      expect((await file("web1\0x")).status).toBe(400);
      expect((await file("web1", "../top.txt")).status).toBe(400);
      expect((await file("web1", "/etc/passwd")).status).toBe(400);
      expect((await file("web1", "docs/./a.txt")).status).toBe(400);
      expect((await file(fx.repo)).status).toBe(200);
    } finally {
      rmSync(path.join(fx.root, "sneaky"), { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
