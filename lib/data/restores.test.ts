// Restores on real PostgreSQL: who may queue one (admins, operators on their hosts; viewers 403, others 404),
// every bad value answered with its field error, the defaults (own host, original path, latest increment), the
// run and its params as the agent receives them, the audit entry, and the run visible to the operator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";
import { restoreParams } from "@/lib/schemas/agent-protocol";

let tdb: TestDatabase;
let restores: typeof import("@/lib/data/restores");
let admin: Caller, operator: Caller, narrowOperator: Caller, outsider: Caller, viewer: Caller;
let agentId: string, web1: string, web2: string, far: string, repoId: string, importedId: string;
const ctx = { ip: "192.0.2.9" };
const T1 = new Date("2026-11-01T03:00:00Z");
const T2 = new Date("2026-11-02T03:00:00Z");
const epoch = (d: Date) => d.getTime() / 1000;

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  restores = await import("@/lib/data/restores");
  const mk = async (email: string, role: Caller["role"]): Promise<Caller> => {
    const u = await tdb.prisma.user.create({ data: { email, name: email, role, passwordHash: "x" } });
    return { id: u.id, email, name: email, role, via: "session" };
  };
  admin = await mk("admin@example.org", "admin");
  operator = await mk("op@example.org", "operator");
  narrowOperator = await mk("narrow@example.org", "operator");
  outsider = await mk("outsider@example.org", "operator");
  viewer = await mk("viewer@example.org", "viewer");
  const agent = (name: string) => tdb.prisma.agent.create({ data: { name, tokenHash: randomUUID(), secretEnc: "x" } });
  agentId = (await agent("backup1")).id;
  const otherAgent = (await agent("backup2")).id;
  const host = async (name: string, a: string) => (await tdb.prisma.host.create({ data: { name, address: "local", transport: "local", agentId: a } })).id;
  web1 = await host("web1", agentId);
  web2 = await host("web2", agentId);
  far = await host("far", otherAgent);
  const job = await tdb.prisma.job.create({ data: { hostId: web1, name: "www", method: "mirror", sources: ["/srv/www/"], schedule: "0 3 * * *" } });
  repoId = (await tdb.prisma.repository.create({ data: { name: "web1/www", format: "mirror", agentId, path: "/var/lib/strata/repositories/web1/www", hostId: web1, jobId: job.id } })).id;
  importedId = (await tdb.prisma.repository.create({ data: { name: "old", format: "mirror", agentId, path: "/backups/old", hostId: web1 } })).id;
  for (const id of [repoId, importedId]) {
    for (const time of [T1, T2]) await tdb.prisma.increment.create({ data: { repositoryId: id, time, kind: "mirror" } });
    const v = (path: string, parent: string, type: "dir" | "file", validFrom: Date, validUntil: Date | null = null) =>
      tdb.prisma.fileVersion.create({ data: { repositoryId: id, path, parent, name: path.split("/").pop() || "", type, validFrom, validUntil } });
    await v("", "/", "dir", T1);
    await v("docs", "", "dir", T1);
    await v("docs/a.txt", "docs", "file", T1, T2);
    await v("docs/a.txt", "docs", "file", T2);
    await v("gone", "", "dir", T1, T2);
    await v("fresh", "", "dir", T2);
  }
  for (const h of [web1, web2]) await tdb.prisma.hostAssignment.create({ data: { userId: operator.id, hostId: h } });
  await tdb.prisma.hostAssignment.create({ data: { userId: narrowOperator.id, hostId: web1 } });
  await tdb.prisma.hostAssignment.create({ data: { userId: viewer.id, hostId: web1 } });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const fieldErrorsOf = async (p: Promise<unknown>): Promise<Record<string, string[]>> => {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, "the restore should be refused").toMatchObject({ code: "invalid" });
  return (err as { fieldErrors: Record<string, string[]> }).fieldErrors;
};

describe("createRestore", () => {
  it("queues a restore with the defaults: own host, original path, latest increment, no overwrite; audited", async () => {
    const out = await restores.createRestore(operator, repoId, { path: "docs/" }, ctx);
    expect(out).toMatchObject({ url: `/runs/${out.runId}`, status: "queued", host: { id: web1, name: "web1" }, path: "docs", target: "/srv/www/docs", overwrite: false });
    expect(out.increment.time.getTime()).toBe(T2.getTime());
    const run = await tdb.prisma.run.findUniqueOrThrow({ where: { id: out.runId } });
    expect(run).toMatchObject({ type: "restore", trigger: "manual", status: "queued", agentId, repositoryId: repoId, jobId: null, requestedById: operator.id });
    expect(restoreParams.parse(run.params)).toEqual({ repositoryPath: "/var/lib/strata/repositories/web1/www", format: "mirror", path: "docs", at: epoch(T2), hostId: web1, target: "/srv/www/docs", overwrite: false });
    const audit = await tdb.prisma.auditEvent.findFirstOrThrow({ where: { action: "restore.start", targetId: out.runId } });
    expect(audit).toMatchObject({ actorEmail: "op@example.org", ip: "192.0.2.9", targetLabel: "web1/www:/docs → web1:/srv/www/docs" });
    expect(audit.details).toMatchObject({ at: T2.toISOString(), overwrite: false, target: "/srv/www/docs" });
  });

  it("takes any time spec (resolved to an existing increment), another host of the agent, a target and overwrite", async () => {
    const out = await restores.createRestore(operator, repoId, { path: "gone", at: "1B", host: "web2", target: "/tmp/restored//here/", overwrite: "on" }, ctx);
    expect(out.increment.time.getTime()).toBe(T1.getTime());
    const params = restoreParams.parse((await tdb.prisma.run.findUniqueOrThrow({ where: { id: out.runId } })).params);
    expect(params).toMatchObject({ path: "gone", at: epoch(T1), hostId: web2, target: "/tmp/restored/here", overwrite: true });
    const byDate = await restores.createRestore(admin, repoId, { at: "2026-11-01T12:00:00Z", host: web1, target: "/restore/all", overwrite: false }, ctx);
    expect(byDate).toMatchObject({ path: "", target: "/restore/all", overwrite: false });
    expect(byDate.increment.time.getTime()).toBe(T1.getTime());
    // The whole repository goes back to the job's source path by default.
    expect((await restores.createRestore(admin, repoId, {}, ctx)).target).toBe("/srv/www");
  });

  it("the agent receives the queued restore as a command, and the operator sees the run", async () => {
    const out = await restores.createRestore(operator, repoId, { path: "docs/a.txt", target: "/tmp/a.txt" }, ctx);
    const { agentCommands } = await import("@/lib/data/agent-jobs");
    const cmd = (await agentCommands(agentId)).commands.find((c) => c.runId === out.runId);
    expect(cmd).toEqual({ kind: "restore", runId: out.runId, params: expect.objectContaining({ path: "docs/a.txt", target: "/tmp/a.txt" }) });
    const { getRun } = await import("@/lib/data/runs");
    expect(await getRun(operator, out.runId)).toMatchObject({ type: "restore", status: "queued", job: null });
    expect(await getRun(viewer, out.runId)).toMatchObject({ type: "restore" });
    await expect(getRun(outsider, out.runId)).rejects.toMatchObject({ code: "not_found" });
    const { listRuns } = await import("@/lib/data/runs");
    expect((await listRuns(operator, { hostId: web1 })).map((r) => r.id)).toContain(out.runId);
    expect((await listRuns(operator, { hostId: web2 })).map((r) => r.id)).not.toContain(out.runId);
  });

  it("refuses viewers (403) and callers who cannot see the repository (404), creating nothing", async () => {
    const before = await tdb.prisma.run.count();
    await expect(restores.createRestore(viewer, repoId, { path: "docs" }, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(restores.createRestore(outsider, repoId, { path: "docs" }, ctx)).rejects.toMatchObject({ code: "not_found" });
    await expect(restores.createRestore(admin, randomUUID(), {}, ctx)).rejects.toMatchObject({ code: "not_found" });
    await expect(restores.createRestore(admin, "nope", {}, ctx)).rejects.toMatchObject({ code: "not_found" });
    expect(await tdb.prisma.run.count()).toBe(before);
  });

  it("answers each bad value with its field error", async () => {
    expect(await fieldErrorsOf(restores.createRestore(admin, repoId, { path: "../etc" }, ctx))).toEqual({ path: [expect.stringContaining('".." segments')] });
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { path: "/etc" }, ctx))).path).toEqual([expect.stringContaining("absolute paths")]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { path: "nothing/here" }, ctx))).path).toEqual([expect.stringContaining("did not exist")]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { path: "fresh", at: "1B" }, ctx))).path).toEqual([expect.stringContaining("did not exist in the increment of 2026-11-01")]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { at: "yesterday-ish" }, ctx))).at).toHaveLength(1);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { at: "2020-01-01" }, ctx))).at).toEqual([expect.stringContaining("No increment at or before")]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { target: "relative/dir" }, ctx))).target).toEqual(["Enter an absolute path (starting with /)"]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { target: "/tmp/../etc" }, ctx))).target).toEqual(['".." segments are not allowed']);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { target: "/var/lib/strata/repositories/web1/www/docs" }, ctx))).target).toEqual([expect.stringContaining("inside the repository")]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { target: "/var/lib" }, ctx))).target).toEqual([expect.stringContaining("holds or lies inside")]);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { host: "far", target: "/tmp/x" }, ctx))).host).toEqual(['Host "far" is not reached through agent "backup1", which holds this repository']);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { host: "nosuch", target: "/tmp/x" }, ctx))).host).toEqual(['No host "nosuch" you may restore to']);
    expect((await fieldErrorsOf(restores.createRestore(narrowOperator, repoId, { host: "web2", target: "/tmp/x" }, ctx))).host).toEqual(['No host "web2" you may restore to']);
    expect((await fieldErrorsOf(restores.createRestore(admin, repoId, { overwrite: "maybe" }, ctx))).overwrite).toHaveLength(1);
    // Several at once: all reported together.
    expect(Object.keys(await fieldErrorsOf(restores.createRestore(admin, repoId, { path: "a/../b", at: "bad", target: "x" }, ctx))).sort()).toEqual(["at", "path", "target"]);
    expect(await tdb.prisma.run.count({ where: { params: { path: ["target"], equals: "/tmp/x" } } })).toBe(0);
  });

  it("needs a target when the repository's original path is unknown (no mirror job)", async () => {
    expect((await fieldErrorsOf(restores.createRestore(admin, importedId, { path: "docs" }, ctx))).target).toEqual([expect.stringContaining("original path of this repository is not known")]);
    const out = await restores.createRestore(admin, importedId, { path: "docs", target: "/srv/restored" }, ctx);
    expect(restoreParams.parse((await tdb.prisma.run.findUniqueOrThrow({ where: { id: out.runId } })).params)).toMatchObject({ repositoryPath: "/backups/old", target: "/srv/restored" });
  });
});

describe("raw names and archive repositories", () => {
  it("queues a path whose name is not valid UTF-8 with its exact bytes as pathBase64 (the display path kept)", async () => {
    const raw = Buffer.from([0x64, 0x6f, 0x63, 0x73, 0x2f, 0x63, 0x61, 0x66, 0xe9]);
    await tdb.prisma.fileVersion.create({ data: { repositoryId: repoId, path: "docs/caf\\xe9", parent: "docs", name: "caf\\xe9", rawPath: raw, type: "file", validFrom: T1 } });
    const out = await restores.createRestore(admin, repoId, { path: "docs/caf\\xe9", target: "/tmp/x" }, ctx);
    expect(out).toMatchObject({ status: "queued", path: "docs/caf\\xe9", target: "/tmp/x" });
    const params = restoreParams.parse((await tdb.prisma.run.findUniqueOrThrow({ where: { id: out.runId } })).params);
    expect(params).toMatchObject({ path: "docs/caf\\xe9", pathBase64: raw.toString("base64url"), target: "/tmp/x" });
    expect(Buffer.from(params.pathBase64!, "base64url").equals(raw)).toBe(true);
    // The agent receives the exact bytes in its command.
    const { agentCommands } = await import("@/lib/data/agent-jobs");
    const cmd = (await agentCommands(agentId)).commands.find((c) => c.runId === out.runId);
    expect(cmd).toMatchObject({ kind: "restore", params: { pathBase64: raw.toString("base64url") } });
    // Names that are valid UTF-8 carry no pathBase64.
    const plain = await restores.createRestore(admin, repoId, { path: "docs/a.txt", target: "/tmp/y" }, ctx);
    expect(restoreParams.parse((await tdb.prisma.run.findUniqueOrThrow({ where: { id: plain.runId } })).params)).not.toHaveProperty("pathBase64");
  });

  it("queues restores from archive repositories like mirror ones", async () => {
    const archive = await tdb.prisma.repository.create({ data: { name: "web1/db", format: "archive", agentId, path: "/var/lib/strata/repositories/web1/db", hostId: web1 } });
    await tdb.prisma.increment.create({ data: { repositoryId: archive.id, time: T1, kind: "full" } });
    const out = await restores.createRestore(admin, archive.id, { target: "/srv/db-restore" }, ctx);
    expect(out).toMatchObject({ status: "queued", url: `/runs/${out.runId}`, host: { id: web1, name: "web1" }, path: "", target: "/srv/db-restore", overwrite: false });
    expect(out.increment.time.getTime()).toBe(T1.getTime());
    const run = await tdb.prisma.run.findUniqueOrThrow({ where: { id: out.runId } });
    expect(run).toMatchObject({ type: "restore", status: "queued", agentId, repositoryId: archive.id });
    expect(restoreParams.parse(run.params)).toEqual({ repositoryPath: "/var/lib/strata/repositories/web1/db", format: "archive", path: "", at: epoch(T1), hostId: web1, target: "/srv/db-restore", overwrite: false });
    expect((await restores.restoreForm(admin, archive.id)).repository.format).toBe("archive");
  });
});

describe("restoreForm", () => {
  it("offers the agent's hosts the caller manages, the default host and target, and the resolved increment", async () => {
    const form = await restores.restoreForm(narrowOperator, repoId, { path: "docs", at: "1B" });
    expect(form.hosts.map((h) => h.name)).toEqual(["web1"]);
    expect(form).toMatchObject({ defaultHostId: web1, sourceRoot: "/srv/www", path: "docs", defaultTarget: "/srv/www/docs", timeError: null });
    expect(form.resolved?.increment.time.getTime()).toBe(T1.getTime());
    expect((await restores.restoreForm(admin, repoId)).hosts.map((h) => h.name)).toEqual(["web1", "web2"]);
    expect((await restores.restoreForm(admin, repoId, { at: "garbage" })).timeError).toBeTruthy();
    expect((await restores.restoreForm(admin, importedId)).defaultTarget).toBeNull();
    await expect(restores.restoreForm(viewer, repoId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(restores.restoreForm(outsider, repoId)).rejects.toMatchObject({ code: "not_found" });
  });
});
