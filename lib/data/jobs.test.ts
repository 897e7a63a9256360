// The jobs data layer on real PostgreSQL: rights per role, field errors that write nothing, encrypted
// write-only secrets, revision bumps, audit rows and the retention dry run over the job's repository.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { TestDatabase } from "@/lib/db/test-db";
import type { Caller } from "@/lib/auth/caller";

let tdb: TestDatabase;
let jobs: typeof import("@/lib/data/jobs");
let secrets: typeof import("@/lib/crypto/secrets");
let admin: Caller, operator: Caller, otherOperator: Caller, viewer: Caller;
let hostId: string;
const ctx = { ip: "192.0.2.7" };

const mysqlJob = {
  name: "db",
  method: "mysql",
  schedule: { kind: "daily", at: "02:30" },
  options: { user: "backup", databases: ["shop"], port: 3306 },
  password: "s3cret-dump-pw",
  retention: { keepLast: 7 },
};
const mirrorJob = {
  name: "etc",
  method: "mirror",
  sources: ["/etc"],
  includes: ["/etc/nginx"],
  excludes: ["/etc/**/*.bak"],
  schedule: { kind: "hourly", minute: 15 },
  options: {},
};

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  jobs = await import("@/lib/data/jobs");
  secrets = await import("@/lib/crypto/secrets");
  const mk = async (email: string, role: Caller["role"]): Promise<Caller> => {
    const u = await tdb.prisma.user.create({ data: { email, name: email, role, passwordHash: "x" } });
    return { id: u.id, email, name: email, role, via: "session" };
  };
  admin = await mk("admin@example.org", "admin");
  operator = await mk("op@example.org", "operator");
  otherOperator = await mk("op2@example.org", "operator");
  viewer = await mk("viewer@example.org", "viewer");
  hostId = (await tdb.prisma.host.create({ data: { name: "web1", address: "192.0.2.10" } })).id;
  for (const u of [operator, viewer]) await tdb.prisma.hostAssignment.create({ data: { userId: u.id, hostId } });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const auditRows = (action: string) => tdb.prisma.auditEvent.findMany({ where: { action }, orderBy: { at: "asc" } });

describe("jobs data layer", () => {
  it("creates a job with its cron schedule, stores the password encrypted and never returns it", async () => {
    const job = await jobs.createJob(admin, hostId, mysqlJob, ctx);
    expect(job.revision).toBe(1);
    const row = await tdb.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.schedule).toBe("30 2 * * *");
    expect(row.secretsEnc).not.toContain("s3cret");
    expect(JSON.parse(secrets.decryptSecret(row.secretsEnc!))).toEqual({ password: "s3cret-dump-pw" });
    const reads = [await jobs.getJob(admin, job.id), ...(await jobs.listJobs(viewer, hostId))];
    for (const r of reads) {
      expect(JSON.stringify(r)).not.toMatch(/s3cret|secretsEnc|v1\./);
      expect(r.hasPassword).toBe(true);
    }
    const [event] = await auditRows("job.create");
    expect(event).toMatchObject({ actorEmail: "admin@example.org", targetLabel: "web1/db", ip: "192.0.2.7" });
    expect(JSON.stringify(event.details)).not.toContain("s3cret");
  });

  it("keeps the password on an empty one, replaces or clears it on request, bumping the revision each time", async () => {
    const [job] = await jobs.listJobs(admin, hostId);
    const enc0 = (await tdb.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).secretsEnc;
    expect((await jobs.updateJob(operator, job.id, { ...mysqlJob, password: "" }, ctx)).revision).toBe(2);
    expect((await tdb.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).secretsEnc).toBe(enc0);
    expect((await jobs.updateJob(admin, job.id, { ...mysqlJob, password: "new-pw" }, ctx)).revision).toBe(3);
    const enc1 = (await tdb.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).secretsEnc!;
    expect(JSON.parse(secrets.decryptSecret(enc1)).password).toBe("new-pw");
    await jobs.updateJob(admin, job.id, { ...mysqlJob, password: undefined, clearPassword: true }, ctx);
    const after = await jobs.getJob(admin, job.id);
    expect(after).toMatchObject({ revision: 4, hasPassword: false });
    expect((await auditRows("job.update")).map((e) => (e.details as { password: string }).password)).toEqual(["kept", "set", "cleared"]);
  });

  it("refuses bad values with field errors per field and writes nothing", async () => {
    const before = { jobs: await tdb.prisma.job.count(), audit: await tdb.prisma.auditEvent.count() };
    const bad = {
      name: "bad name!",
      method: "tarball",
      sources: ["relative/path", "/ok"],
      schedule: { kind: "cron", expression: "61 * * * *" },
      retention: { olderThan: "soon" },
      options: { compression: "rar" },
      overdueAfterHours: 0,
      notify: { emails: ["not-an-email"], webhook: "ftp://x" },
    };
    const err = await jobs.createJob(admin, hostId, bad, ctx).catch((e) => e);
    expect(err).toMatchObject({ code: "invalid" });
    expect(Object.keys(err.fieldErrors).sort()).toEqual(
      ["name", "notify.emails", "notify.webhook", "options.compression", "overdueAfterHours", "retention.olderThan", "schedule.expression", "sources"].sort(),
    );
    expect(err.fieldErrors.sources[0]).toMatch(/^Line 1: Use an absolute path/);
    await expect(jobs.createJob(admin, hostId, { ...mysqlJob, name: "p", options: { user: "u", port: 70000 } }, ctx)).rejects.toMatchObject({ fieldErrors: { "options.port": ["Port must be 1-65535"] } });
    await expect(jobs.createJob(admin, hostId, { ...mirrorJob, name: "e", sources: [] }, ctx)).rejects.toMatchObject({ fieldErrors: { sources: ["Enter at least one source path"] } });
    await expect(jobs.createJob(admin, hostId, { ...mirrorJob, method: "rsync" }, ctx)).rejects.toMatchObject({ fieldErrors: { method: [expect.stringMatching(/^Unknown method/)] } });
    await expect(jobs.createJob(admin, hostId, { ...mirrorJob, name: "g", includes: ["/var/www"] }, ctx)).rejects.toMatchObject({
      fieldErrors: { includes: [expect.stringMatching(/^Line 1: Cannot use selection pattern "\/var\/www"/)] },
    });
    await expect(jobs.createJob(admin, hostId, { ...mysqlJob, name: "db" }, ctx)).rejects.toMatchObject({ code: "conflict", fieldErrors: { name: [expect.any(String)] } });
    expect({ jobs: await tdb.prisma.job.count(), audit: await tdb.prisma.auditEvent.count() }).toEqual(before);
  });

  it("lets operators manage jobs only on their hosts and viewers only read", async () => {
    const job = await jobs.createJob(operator, hostId, mirrorJob, ctx);
    expect((await tdb.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).schedule).toBe("15 * * * *");
    expect((await jobs.listJobs(viewer, hostId)).map((j) => j.name)).toEqual(["db", "etc"]);
    await expect(jobs.createJob(viewer, hostId, { ...mirrorJob, name: "v" }, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(jobs.updateJob(viewer, job.id, mirrorJob, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(jobs.deleteJob(viewer, job.id, ctx)).rejects.toMatchObject({ code: "forbidden" });
    await expect(jobs.hostForNewJob(viewer, hostId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(jobs.getJob(otherOperator, job.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(jobs.listJobs(otherOperator, hostId)).rejects.toMatchObject({ code: "not_found" });
    await expect(jobs.createJob(otherOperator, hostId, { ...mirrorJob, name: "o" }, ctx)).rejects.toMatchObject({ code: "not_found" });
    await expect(jobs.updateJob(otherOperator, job.id, mirrorJob, ctx)).rejects.toMatchObject({ code: "not_found" });
    await expect(jobs.deleteJob(otherOperator, job.id, ctx)).rejects.toMatchObject({ code: "not_found" });
    expect((await jobs.getJob(operator, job.id)).revision).toBe(1);
    await jobs.deleteJob(operator, job.id, ctx);
    expect(await tdb.prisma.job.count({ where: { id: job.id } })).toBe(0);
    expect(await auditRows("job.delete")).toMatchObject([{ actorEmail: "op@example.org", targetLabel: "web1/etc" }]);
  });

  it("dry-runs retention over the job's repository increments and warns when only the newest would stay", async () => {
    const [job] = await jobs.listJobs(admin, hostId);
    const agent = await tdb.prisma.agent.create({ data: { name: "a1", tokenHash: randomBytes(8).toString("hex"), secretEnc: "x" } });
    const repo = await tdb.prisma.repository.create({ data: { name: "db", format: "archive", agentId: agent.id, path: "/srv/db", hostId, jobId: job.id } });
    const day = 86_400_000;
    const now = new Date("2026-03-10T12:00:00Z");
    for (let i = 0; i < 5; i++) await tdb.prisma.increment.create({ data: { repositoryId: repo.id, time: new Date(now.getTime() - i * day), kind: "full" } });
    const r = await jobs.retentionDryRun(viewer, job.id, { keepLast: 3 }, now);
    expect(r.rows.map((x) => x.keep)).toEqual([true, true, true, false, false]);
    expect(r.rows[0].reasons).toEqual(["newest", "last 3"]);
    expect(r.warning).toBeNull();
    const only = await jobs.retentionDryRun(viewer, job.id, { olderThan: "1h" }, now);
    expect(only).toMatchObject({ keepCount: 1, removeCount: 4, warning: "This policy removes every increment but the newest" });
    expect(await tdb.prisma.increment.count({ where: { repositoryId: repo.id } })).toBe(5);
  });
});
