// The daemon starts the data plane before enrolling, reports its URL on enrolment and every heartbeat, and
// the data plane accepts requests signed with the secret the console handed out (not before enrolment).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDaemon } from "@/agent/daemon/run-daemon";
import { signedGet } from "./test-client";

const SECRET = "secret-from-the-console";
let dir: string;
let consoleServer: http.Server;
let consoleUrl: string;
const bodies: Array<{ path: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "strata-daemon-"));
  consoleServer = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      bodies.push({ path: req.url ?? "", body: text ? JSON.parse(text) : {} }); // GET polls of the control loop have no body
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url?.endsWith("/enrol")) res.end(JSON.stringify({ v: 1, agentId: "a1", token: "agent_token_123", secret: SECRET }));
      else res.end(JSON.stringify({ v: 1, serverTime: new Date().toISOString() }));
    });
  });
  await new Promise<void>((r) => consoleServer.listen(0, "127.0.0.1", r));
  consoleUrl = `http://127.0.0.1:${(consoleServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => consoleServer?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("agent daemon with its data plane", () => {
  it("reports the data-plane URL on enrolment and heartbeat, and serves requests signed with the enrolment secret", async () => {
    const ac = new AbortController();
    const logs: Array<[string, Record<string, unknown>]> = [];
    const running = runDaemon({
      console: consoleUrl, name: "local", stateDir: path.join(dir, "state"), enrolToken: "enrol_0123456789",
      heartbeatSeconds: 1, dataPlane: { listen: "127.0.0.1:0", roots: [dir] }, signal: ac.signal,
      log: (event, fields = {}) => logs.push([event, fields]),
    });
    for (let i = 0; i < 100 && bodies.filter((b) => b.path.endsWith("/heartbeat")).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const url = logs.find(([e]) => e === "data-plane.listening")?.[1].url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bodies[0]).toMatchObject({ path: "/api/agent/v1/enrol", body: { url } });
    expect(bodies.filter((b) => b.path.endsWith("/heartbeat")).every((b) => b.body.url === url)).toBe(true);
    // The agent's SSH key is made at enrolment; its public half goes with the enrolment and every heartbeat.
    const publicKey = readFileSync(path.join(dir, "state", "ssh_ed25519.pub"), "utf8").trim();
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(statSync(path.join(dir, "state", "ssh_ed25519")).mode & 0o777).toBe(0o600);
    expect(bodies[0].body.sshPublicKey).toBe(publicKey);
    expect(bodies.filter((b) => b.path.endsWith("/heartbeat")).every((b) => b.body.sshPublicKey === publicKey)).toBe(true);
    expect((await signedGet(url, SECRET, "/v1/health")).status).toBe(200);
    expect((await signedGet(url, "another", "/v1/health")).status).toBe(401);
    ac.abort();
    await running;
    await expect(fetch(url)).rejects.toThrow();
  });
});
