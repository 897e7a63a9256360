// The data plane on an archive repository (backup-manager layout written by Strata's archive engine): one
// member's bytes through the index sidecar, ranges of it, and refusals for a missing member or an escaping archive name.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTarballMethod } from "@/agent/engines/archive/tarball";
import { startDataPlane, type DataPlane } from "./index";
import { signedGet } from "./test-client";

const SECRET = "archive-secret";
let base: string;
let plane: DataPlane;
let archive: string;
let member: string;
const body = randomBytes(300_000);

beforeAll(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), "strata-dataplane-archive-"));
  const src = path.join(base, "src");
  mkdirSync(path.join(src, "etc"), { recursive: true });
  writeFileSync(path.join(src, "etc/big.bin"), body);
  writeFileSync(path.join(src, "etc/small.conf"), "key = value\n");
  const repo = path.join(base, "repos/archives");
  mkdirSync(repo, { recursive: true });
  const res = await runTarballMethod(
    { repository: repo, prefix: "h", now: new Date(2027, 2, 1), permissions: {}, purgeDuplicates: false, callbacks: {}, blockSize: 64 * 1024 },
    { targets: [src], nameFormat: "long", fileType: "tar.gz", blacklist: [], dumpSymlinks: false },
  );
  archive = res.outputs[0];
  member = `${src.replace(/^\//, "")}/etc/big.bin`;
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [path.join(base, "repos")], secret: () => SECRET });
}, 60_000);

afterAll(async () => {
  await plane?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

const get = (q: Record<string, string | number>) => signedGet(plane.url, SECRET, "/v1/file", { repo: "archives", format: "archive", at: 0, ...q });

describe("agent data plane on an archive repository", () => {
  it("serves a member's bytes and a range of them", async () => {
    const res = await get({ archive, path: member });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    const part = await get({ archive, path: member, offset: 70_000, length: 1000 });
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(70_000, 71_000))).toBe(true);
  });

  it("answers 404 for a missing member or a time before the first archive, finds the archive itself when none is named, 400 for an escaping one or a folder", async () => {
    const day = Math.floor(new Date(2027, 2, 1).getTime() / 1000);
    expect((await get({ archive, path: "no/such/member" })).status).toBe(404);
    expect((await get({ path: member })).status).toBe(404);
    const found = await get({ path: member, at: day });
    expect(Buffer.from(await found.arrayBuffer()).equals(body)).toBe(true);
    expect((await get({ archive: "../archives/" + archive, path: member })).status).toBe(400);
    expect((await get({ path: path.dirname(member), at: day })).status).toBe(400);
    expect((await signedGet(plane.url, SECRET, "/v1/tree", { repo: "archives", format: "archive", at: 0, path: "" })).status).toBe(404);
  });
});
