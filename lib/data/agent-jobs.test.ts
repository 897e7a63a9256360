// What agents pull, on real PostgreSQL: the jobs of their own hosts only (with decrypted secrets, repository and
// format, local hosts flagged), an etag that is stable until something changes, and the commands waiting for them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";
import { commandsResponse, jobsResponse } from "@/lib/schemas/agent-protocol";

let tdb: TestDatabase;
let agentJobs: typeof import("@/lib/data/agent-jobs");
let jobsData: typeof import("@/lib/data/jobs");
let runs: typeof import("@/lib/data/runs");
let admin: Caller;
let agentId: string, otherAgentId: string, webId: string, localId: string;
const ctx = { ip: null };

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  agentJobs = await import("@/lib/data/agent-jobs");
  jobsData = await import("@/lib/data/jobs");
  runs = await import("@/lib/data/runs");
  const u = await tdb.prisma.user.create({ data: { email: "admin@example.org", name: "A", role: "admin", passwordHash: "x" } });
  admin = { id: u.id, email: u.email, name: "A", role: "admin", via: "session" };
  const agent = (name: string) => tdb.prisma.agent.create({ data: { name, tokenHash: randomUUID(), secretEnc: "x" } });
  agentId = (await agent("backup1")).id;
  otherAgentId = (await agent("backup2")).id;
  webId = (await tdb.prisma.host.create({ data: { name: "web1", address: "192.0.2.10", sshPort: 2222, sshUser: "backup", agentId } })).id;
  localId = (await tdb.prisma.host.create({ data: { name: "self", address: "local", transport: "local", agentId } })).id;
  const elsewhere = (await tdb.prisma.host.create({ data: { name: "elsewhere", address: "192.0.2.11", agentId: otherAgentId } })).id;
  await jobsData.createJob(admin, webId, { name: "db", method: "mysql", schedule: { kind: "daily", at: "02:30" }, options: { user: "backup" }, password: "s3cret" }, ctx);
  await jobsData.createJob(admin, localId, { name: "etc", method: "mirror", sources: ["/etc"], excludes: ["/etc/**/*.bak"], schedule: { kind: "hourly", minute: 5 }, options: {} }, ctx);
  await jobsData.createJob(admin, elsewhere, { name: "home", method: "mirror", sources: ["/home"], schedule: { kind: "hourly", minute: 5 }, options: {} }, ctx);
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

describe("agent jobs", () => {
  it("lists the jobs of this agent's hosts with decrypted secrets, repository names, formats and local hosts", async () => {
    const res = jobsResponse.parse(await agentJobs.agentJobs(agentId));
    expect(res.hosts).toEqual([
      { id: localId, name: "self", address: "local", port: 22, user: "root", hostKeyFingerprint: null, local: true },
      { id: webId, name: "web1", address: "192.0.2.10", port: 2222, user: "backup", hostKeyFingerprint: null, local: false },
    ]);
    const byName = Object.fromEntries(res.jobs.map((j) => [j.repository, j]));
    expect(Object.keys(byName).sort()).toEqual(["self/etc", "web1/db"]);
    expect(byName["web1/db"]).toMatchObject({ format: "archive", definition: { method: "mysql", schedule: "30 2 * * *", secrets: { password: "s3cret" }, options: { user: "backup", port: 3306 } } });
    expect(byName["self/etc"]).toMatchObject({ format: "mirror", definition: { method: "mirror", sources: ["/etc"], excludes: ["/etc/**/*.bak"], revision: 1 } });
    expect(byName["self/etc"].definition.secrets).toBeUndefined();
    expect((await agentJobs.agentJobs(otherAgentId)).jobs.map((j) => j.repository)).toEqual(["elsewhere/home"]);
  });

  it("keeps its etag while nothing changes and changes it when a job or host does", async () => {
    const e1 = (await agentJobs.agentJobs(agentId)).etag;
    expect(await agentJobs.agentJobsEtag(agentId)).toBe(e1);
    const job = await tdb.prisma.job.findFirstOrThrow({ where: { name: "etc" } });
    await tdb.prisma.job.update({ where: { id: job.id }, data: { overdueNotifiedAt: new Date() } });
    expect(await agentJobs.agentJobsEtag(agentId)).toBe(e1);
    await jobsData.updateJob(admin, job.id, { name: "etc", method: "mirror", sources: ["/etc", "/root"], schedule: { kind: "hourly", minute: 5 }, options: {} }, ctx);
    const e2 = await agentJobs.agentJobsEtag(agentId);
    expect(e2).not.toBe(e1);
    await tdb.prisma.host.update({ where: { id: webId }, data: { hostKeyFingerprint: "SHA256:" + "A".repeat(43) } });
    expect(await agentJobs.agentJobsEtag(agentId)).not.toBe(e2);
    const other = await agentJobs.agentJobsEtag(otherAgentId);
    await tdb.prisma.host.update({ where: { id: webId }, data: { description: "only a description" } });
    expect(await agentJobs.agentJobsEtag(otherAgentId)).toBe(other);
  });
});

describe("agent commands", () => {
  it("sends run now, cancel of a running run and queued restores to the agent of the job's host only", async () => {
    const etc = await tdb.prisma.job.findFirstOrThrow({ where: { name: "etc" } });
    const db = await tdb.prisma.job.findFirstOrThrow({ where: { name: "db" } });
    expect((await agentJobs.agentCommands(agentId)).commands).toEqual([]);
    const queued = await runs.runNow(admin, etc.id, ctx);
    const running = await runs.runNow(admin, db.id, ctx);
    await runs.reportRun(agentId, running.id, { v: 1, jobId: db.id, type: "backup", trigger: "manual", status: "running" });
    await runs.cancelRun(admin, running.id, ctx);
    const restoreParams = { repositoryPath: "/srv/r/self/etc", format: "mirror", path: "hosts", at: 1_795_000_000, hostId: localId, target: "/tmp/restore", overwrite: false };
    const restore = await tdb.prisma.run.create({ data: { type: "restore", trigger: "manual", status: "queued", agentId, params: restoreParams } });
    await tdb.prisma.run.create({ data: { jobId: etc.id, type: "backup", trigger: "schedule", status: "queued", agentId } });
    const res = commandsResponse.parse(await agentJobs.agentCommands(agentId));
    expect(res.jobsEtag).toBe(await agentJobs.agentJobsEtag(agentId));
    expect(res.commands).toEqual(
      expect.arrayContaining([
        { kind: "run", runId: queued.id, jobId: etc.id },
        { kind: "cancel", runId: running.id },
        { kind: "restore", runId: restore.id, params: restoreParams },
      ]),
    );
    expect(res.commands).toHaveLength(3);
    expect((await agentJobs.agentCommands(otherAgentId)).commands).toEqual([]);
    // Reported runs stop being commands; a cancelled queued run is never sent.
    await runs.reportRun(agentId, queued.id, { v: 1, jobId: etc.id, type: "backup", trigger: "manual", status: "running" });
    await runs.reportRun(agentId, running.id, { v: 1, jobId: db.id, type: "backup", trigger: "manual", status: "cancelled" });
    await runs.reportRun(agentId, restore.id, { v: 1, jobId: null, type: "restore", trigger: "manual", status: "running" });
    expect((await agentJobs.agentCommands(agentId)).commands).toEqual([]);
  });
});
