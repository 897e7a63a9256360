// Host-key pinning on real PostgreSQL: POST /api/agent/v1/host-keys (pin on first contact, mismatch kept as
// pending, only the agent's own hosts), an admin accepting the new key (audited), the heartbeat carrying the
// agent's public key, the host form's transport rules, and the checks before the console asks an agent.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";
import { hostKeyResponse } from "@/lib/schemas/agent-protocol";

let tdb: TestDatabase;
let POST: typeof import("./route").POST;
let hosts: typeof import("@/lib/data/hosts");
let admin: Caller;
let operator: Caller;
let agentId: string;
let hostId: string;
let otherHostId: string;
const token = "strata_agent_hostkey-test-token-1";
const otherToken = "strata_agent_hostkey-test-token-2";
const FP1 = "SHA256:" + "a".repeat(43);
const FP2 = "SHA256:" + "b".repeat(43);
let hook: Server;
const hooks: Record<string, unknown>[] = [];

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  ({ POST } = await import("./route"));
  hosts = await import("@/lib/data/hosts");
  const { hashToken } = await import("@/lib/auth/tokens");
  const p = tdb.prisma;
  agentId = (await p.agent.create({ data: { name: "a1", tokenHash: hashToken(token), secretEnc: "x" } })).id;
  const other = await p.agent.create({ data: { name: "a2", tokenHash: hashToken(otherToken), secretEnc: "x" } });
  hostId = (await p.host.create({ data: { name: "web1", address: "10.0.0.1", agentId } })).id;
  otherHostId = (await p.host.create({ data: { name: "db1", address: "10.0.0.2", agentId: other.id } })).id;
  const u = await p.user.create({ data: { email: "admin@example.org", name: "A", role: "admin", passwordHash: "x" } });
  admin = { id: u.id, email: u.email, name: "A", role: "admin", via: "session" } as Caller;
  const o = await p.user.create({ data: { email: "op@example.org", name: "O", role: "operator", passwordHash: "x" } });
  operator = { id: o.id, email: o.email, name: "O", role: "operator", via: "session" } as Caller;
  await p.hostAssignment.create({ data: { userId: o.id, hostId } });
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooks.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
  await p.job.create({ data: { hostId, name: "etc", method: "mirror", sources: ["/etc"], schedule: "0 3 * * *", notify: { emails: [], webhook, onFailure: true } } });
});

afterAll(async () => {
  await new Promise((r) => hook?.close(() => r(null)));
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const report = (t: string | null, body: unknown) =>
  POST(new Request("http://console.test/api/agent/v1/host-keys", { method: "POST", headers: { ...(t ? { authorization: `Bearer ${t}` } : {}), "content-type": "application/json" }, body: JSON.stringify(body) }));

describe("POST /api/agent/v1/host-keys", () => {
  it("pins the first key, accepts it again, and records a different one as pending", async () => {
    const first = await report(token, { v: 1, hostId, fingerprint: FP1 });
    expect(first.status).toBe(200);
    expect(hostKeyResponse.parse(await first.json())).toEqual({ v: 1, result: "pinned", pinned: FP1 });
    expect(hostKeyResponse.parse(await (await report(token, { v: 1, hostId, fingerprint: FP1 })).json()).result).toBe("pinned");

    const changed = hostKeyResponse.parse(await (await report(token, { v: 1, hostId, fingerprint: FP2 })).json());
    expect(changed).toEqual({ v: 1, result: "mismatch", pinned: FP1 });
    await report(token, { v: 1, hostId, fingerprint: FP2 }); // again: audited once
    const row = await tdb.prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    expect(row).toMatchObject({ hostKeyFingerprint: FP1, pendingHostKeyFingerprint: FP2 });
    const audits = await tdb.prisma.auditEvent.findMany({ where: { targetId: hostId }, orderBy: { at: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["host.key-pinned", "host.key-mismatch"]);
    // The new pending key was notified once (the job's failure webhook), not again on the repeat.
    for (let i = 0; i < 100 && hooks.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ event: "host-key.changed", host: { name: "web1" } });
    expect(JSON.stringify(hooks[0])).toContain(FP2);
  });

  it("refuses unknown agents, other agents' hosts and malformed fingerprints", async () => {
    expect((await report(null, { v: 1, hostId, fingerprint: FP1 })).status).toBe(401);
    expect((await report(token, { v: 1, hostId: otherHostId, fingerprint: FP1 })).status).toBe(404);
    expect((await report(otherToken, { v: 1, hostId, fingerprint: FP1 })).status).toBe(404);
    expect((await report(token, { v: 1, hostId: randomUUID(), fingerprint: FP1 })).status).toBe(404);
    const bad = await report(token, { v: 1, hostId, fingerprint: "MD5:aa:bb" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/OpenSSH SHA256 fingerprint/);
  });

  it("lets only an admin accept the pending key, and only the one shown", async () => {
    const ctx = { ip: "127.0.0.1" };
    await expect(hosts.acceptHostKey(operator, hostId, FP2, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(hosts.acceptHostKey(admin, hostId, FP1, ctx)).rejects.toThrow(/waiting key changed to SHA256:b/);
    expect(await hosts.acceptHostKey(admin, hostId, FP2, ctx)).toBe(FP2);
    expect(await tdb.prisma.host.findUniqueOrThrow({ where: { id: hostId } })).toMatchObject({ hostKeyFingerprint: FP2, pendingHostKeyFingerprint: null });
    const audit = await tdb.prisma.auditEvent.findFirstOrThrow({ where: { action: "host.key-accept" } });
    expect(audit).toMatchObject({ actorEmail: "admin@example.org", targetId: hostId, details: { previous: FP1, accepted: FP2 } });
    await expect(hosts.acceptHostKey(admin, hostId, FP2, ctx)).rejects.toThrow(/no new key waiting/);
    expect(hostKeyResponse.parse(await (await report(token, { v: 1, hostId, fingerprint: FP2 })).json()).result).toBe("pinned");
  });
});

describe("heartbeat", () => {
  it("stores the agent's SSH public key", async () => {
    const { heartbeat } = await import("@/lib/data/agents");
    await heartbeat(agentId, { v: 1, version: "1", hostname: "h", sshPublicKey: "ssh-ed25519 AAAAC3Nza strata-agent@h" });
    expect((await tdb.prisma.agent.findUniqueOrThrow({ where: { id: agentId } })).sshPublicKey).toBe("ssh-ed25519 AAAAC3Nza strata-agent@h");
  });
});

describe("host settings and agent calls", () => {
  it("validates the transport choice", () => {
    const base = { name: "h", address: "local", sshPort: 22, sshUser: "root", description: "" };
    const ssh = hosts.hostInput.safeParse({ ...base, transport: "ssh" });
    expect(ssh.success).toBe(false);
    expect(ssh.error?.issues[0]).toMatchObject({ path: ["address"], message: expect.stringMatching(/own machine/) });
    const noAgent = hosts.hostInput.safeParse({ ...base, transport: "local", agentId: null });
    expect(noAgent.error?.issues[0]).toMatchObject({ path: ["agentId"] });
    expect(hosts.hostInput.safeParse({ ...base, transport: "local", agentId: agentId }).success).toBe(true);
    expect(hosts.hostInput.safeParse({ ...base, transport: "ftp" }).success).toBe(false);
    // Address "local" without a transport (older API clients) is the agent's own machine.
    expect(hosts.hostInput.parse({ ...base, agentId }).transport).toBe("local");
  });

  it("says clearly when the host has no agent or the agent is offline", async () => {
    const lonely = await tdb.prisma.host.create({ data: { name: "lonely", address: "10.0.0.9" } });
    await expect(hosts.hostForAgentCall(admin, lonely.id)).rejects.toThrow(/has no agent/);
    await tdb.prisma.agent.update({ where: { id: agentId }, data: { lastSeenAt: new Date(Date.now() - 3600_000), url: "http://127.0.0.1:1" } });
    await expect(hosts.hostForAgentCall(admin, hostId)).rejects.toMatchObject({ code: "unavailable", message: expect.stringMatching(/Agent "a1" is offline/) });
    await tdb.prisma.agent.update({ where: { id: agentId }, data: { lastSeenAt: new Date() } });
    const got = await hosts.hostForAgentCall(operator, hostId);
    expect(got.host).toMatchObject({ id: hostId, address: "10.0.0.1", port: 22, user: "root", local: false, hostKeyFingerprint: FP2 });
    await expect(hosts.hostForAgentCall(operator, otherHostId)).rejects.toMatchObject({ code: "not_found" });
    const viewer = { ...operator, role: "viewer" } as Caller;
    await expect(hosts.hostForAgentCall(viewer, hostId)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("pins the key a successful test saw, only when none is pinned", async () => {
    const h = await tdb.prisma.host.create({ data: { name: "fresh", address: "10.0.0.3", agentId } });
    await hosts.pinTestedHostKey(admin, h.id, FP1, { ip: null });
    await hosts.pinTestedHostKey(admin, h.id, FP2, { ip: null });
    expect((await tdb.prisma.host.findUniqueOrThrow({ where: { id: h.id } })).hostKeyFingerprint).toBe(FP1);
  });
});
