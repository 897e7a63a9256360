// POST /v1/test-connection and /v1/preview on a real data plane, against a real sshd, through the console's
// signed client (lib/agent-client): steps and failures, the preview of include/exclude rules, body signing.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "@/agent/engines/archive/upload/test-sshd";
import { CLOSED_PORT, sshTestHost } from "@/agent/sources/ssh/test-host";
import { BODY_HASH_PARAM, bodyHash, signRequest } from "@/lib/agent-client/sign";
import { EXPIRES_HEADER, SIGNATURE_HEADER } from "@/lib/schemas/data-plane";
import type { HostConnection } from "@/lib/schemas/agent-protocol";
import { startDataPlane, type DataPlane } from "./index";

let sshd: TestSshd;
let dir: string;
let plane: DataPlane;
let bare: DataPlane;
let host: HostConnection;
let agent: { url: string; secretEnc: string; name: string };
let client: typeof import("@/lib/agent-client");
const secret = randomBytes(32).toString("base64url");

beforeAll(async () => {
  // The console's client encrypts the agent secret at rest; this test touches no database.
  process.env.STRATA_SECRET_KEY ??= randomBytes(32).toString("hex");
  process.env.NEXTAUTH_SECRET ??= randomBytes(16).toString("hex");
  process.env.DATABASE_URL ??= "postgresql://unused@127.0.0.1:1/unused";
  sshd = await startTestSshd();
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-hostroutes-"));
  const t = await sshTestHost(sshd, dir);
  host = t.host;
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [dir], secret: () => secret, hosts: { stateDir: t.stateDir } });
  bare = await startDataPlane({ listen: "127.0.0.1:0", roots: [dir], secret: () => secret });
  const { encryptSecret } = await import("@/lib/crypto/secrets");
  client = await import("@/lib/agent-client");
  agent = { url: plane.url, secretEnc: encryptSecret(secret), name: "a1" };
  const src = path.join(dir, "src");
  for (const f of ["etc/hosts", "etc/ssh/sshd_config", "var/log/syslog", "var/log/old.gz", "home/u/.cache/x", "home/u/notes.txt"]) {
    await mkdir(path.dirname(path.join(src, f)), { recursive: true });
    await writeFile(path.join(src, f), f);
  }
});
afterAll(async () => {
  await plane?.close();
  await bare?.close();
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("POST /v1/test-connection", () => {
  it("reports each step and the first entries of the path", async () => {
    const r = await client.testConnection(agent, { v: 1, host, path: path.join(dir, "src") });
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => s.step)).toEqual(["connect", "host-key", "authenticate", "list"]);
    expect(r.steps.every((s) => s.ok && s.durationMs >= 0 && s.message.length > 0)).toBe(true);
    expect(r.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(r.entries).toEqual(["etc/", "home/", "var/"]);
  });

  it("returns the presented key of an unpinned host so the console can pin it", async () => {
    const r = await client.testConnection(agent, { v: 1, host: { ...host, hostKeyFingerprint: null } });
    expect(r.ok).toBe(true);
    expect(r.steps[1].message).toContain(sshd.hostKeyFingerprint);
  });

  it("fails the host-key step of a changed key and stops there", async () => {
    const wrong = "SHA256:" + "B".repeat(43);
    const r = await client.testConnection(agent, { v: 1, host: { ...host, hostKeyFingerprint: wrong } });
    expect(r.ok).toBe(false);
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([["connect", true], ["host-key", false]]);
    expect(r.steps[1].message).toContain(wrong);
    expect(r.steps[1].message).toContain(sshd.hostKeyFingerprint);
    expect(r.fingerprint).toBe(sshd.hostKeyFingerprint);
  });

  it("fails the connect step on a closed port, and the list step on a missing path", async () => {
    const closed = await client.testConnection(agent, { v: 1, host: { ...host, port: CLOSED_PORT } });
    expect(closed).toMatchObject({ ok: false, fingerprint: null, steps: [{ step: "connect", ok: false }] });
    expect(closed.steps[0].message).toMatch(/connection refused/);
    const missing = await client.testConnection(agent, { v: 1, host, path: "/no/such/dir" });
    expect(missing.ok).toBe(false);
    expect(missing.steps.at(-1)).toMatchObject({ step: "list", ok: false });
    expect(missing.steps.at(-1)!.message).toMatch(/"\/no\/such\/dir".*no such file or directory/);
  });

  it("tests a local host by listing the path on the agent's machine", async () => {
    const r = await client.testConnection(agent, { v: 1, host: { ...host, local: true }, path: path.join(dir, "src", "etc") });
    expect(r).toMatchObject({ ok: true, steps: [{ step: "list", ok: true }], entries: ["hosts", "ssh/"] });
  });
});

describe("POST /v1/preview", () => {
  it("lists what the include/exclude rules select, in walk order", async () => {
    const src = path.join(dir, "src");
    const r = await client.previewSelection(agent, { v: 1, host, sources: [src], includes: [], excludes: [`${src}/home/*/.cache`, "**.gz"], limit: 200 });
    expect(r.entries.map((e) => e.path.slice(src.length))).toEqual([
      "/etc", "/etc/hosts", "/etc/ssh", "/etc/ssh/sshd_config", "/home", "/home/u", "/home/u/notes.txt", "/var", "/var/log", "/var/log/syslog",
    ]);
    expect(r.entries.find((e) => e.path.endsWith("notes.txt"))).toMatchObject({ type: "file", size: "home/u/notes.txt".length });
    expect(r).toMatchObject({ truncated: false, excluded: 2 });
    expect(r.scanned).toBe(12);
  });

  it("takes several source paths like a mirror run, and stops at the limit", async () => {
    const src = path.join(dir, "src");
    const r = await client.previewSelection(agent, { v: 1, host, sources: [`${src}/etc`, `${src}/var/log`], includes: [], excludes: [], limit: 3 });
    expect(r.entries.map((e) => e.path.slice(src.length))).toEqual(["/etc", "/etc/hosts", "/etc/ssh"]);
    expect(r.truncated).toBe(true);
  });

  it("answers 422 naming the host when the source cannot be read", async () => {
    await expect(client.previewSelection(agent, { v: 1, host, sources: ["/no/such/dir"], includes: [], excludes: [], limit: 10 })).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/Cannot open source "\/no\/such\/dir" on "test-host"/),
    });
    await expect(client.previewSelection(agent, { v: 1, host: { ...host, hostKeyFingerprint: "SHA256:" + "C".repeat(43) }, sources: [dir], includes: [], excludes: [], limit: 10 })).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/has changed/),
    });
  });
});

describe("signed POST", () => {
  const body = JSON.stringify({ v: 1, host: { id: "00000000-0000-4000-8000-000000000001", name: "h", address: "127.0.0.1", port: 1, user: "u", hostKeyFingerprint: null, local: false } });
  function post(url: string, pathWithQuery: string, payload: string, method = "POST") {
    const exp = Math.floor(Date.now() / 1000) + 60;
    return fetch(new URL(pathWithQuery, url), { method, body: method === "POST" ? payload : undefined, headers: { [SIGNATURE_HEADER]: signRequest(secret, method, pathWithQuery, exp), [EXPIRES_HEADER]: String(exp) } });
  }

  it("refuses a body that is not the signed one, an unsigned hash, GET, and bad bodies", async () => {
    const signedFor = `/v1/test-connection?${BODY_HASH_PARAM}=${bodyHash(body)}`;
    expect((await post(plane.url, signedFor, body.replace('"u"', '"root"'))).status).toBe(401);
    expect((await post(plane.url, "/v1/test-connection", body)).status).toBe(401);
    expect((await post(plane.url, signedFor, body, "GET")).status).toBe(405);
    const bad = JSON.stringify({ v: 1, host: { name: "x" } });
    const res = await post(plane.url, `/v1/preview?${BODY_HASH_PARAM}=${bodyHash(bad)}`, bad);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/host\.id/);
  });

  it("answers 503 on an agent started without host access", async () => {
    await expect(client.testConnection({ ...agent, url: bare.url }, { v: 1, host })).rejects.toMatchObject({ status: 503 });
  });
});
