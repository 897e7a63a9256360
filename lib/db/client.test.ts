// The migrated schema matches what the generated Prisma client expects (every model through
// the client on real PostgreSQL), and unreachable databases give one clear line.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import net from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import { EntryType, IncrementKind, JobMethod, RepositoryFormat, Role, RunStatus } from "@/lib/generated/prisma/enums";
import { checkDatabaseReachable, createPrismaClient, describeDatabaseUrl, isEmbeddedDatabaseUrl } from "./client";
import { createTestDatabase, withDatabaseName, type TestDatabase } from "./test-db";

let tdb: TestDatabase;
let prisma: PrismaClient;
const T0 = new Date("2026-01-01T00:00:00.000Z");
const T1 = new Date("2026-01-02T00:00:00.000Z");
const T2 = new Date("2026-01-03T00:00:00.000Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
});
afterAll(async () => {
  await tdb?.drop();
});

let seq = 0;
const uniq = (p: string) => `${p}-${++seq}`;
const newUser = (role: Role = "viewer") =>
  prisma.user.create({ data: { email: `${uniq("u")}@example.org`, name: "U", passwordHash: "h", role } });
const newAgent = () => prisma.agent.create({ data: { name: uniq("agent"), tokenHash: uniq("th"), secretEnc: "enc" } });
const newHost = (agentId?: string) => prisma.host.create({ data: { name: uniq("host"), address: "local", agentId } });

describe("catalogue schema through the Prisma client", () => {
  it("creates, reads, updates and deletes every model", async () => {
    const covered = new Set<string>();
    const user = await newUser("admin");
    expect(await prisma.user.findUniqueOrThrow({ where: { email: user.email } })).toMatchObject({ role: "admin", disabled: false, sessionVersion: 0 });
    const updatedUser = await prisma.user.update({ where: { id: user.id }, data: { disabled: true, sessionVersion: { increment: 1 }, lastLoginAt: T0 } });
    expect(updatedUser).toMatchObject({ disabled: true, sessionVersion: 1, lastLoginAt: T0 });
    expect(updatedUser.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
    covered.add("User");

    const token = await prisma.apiToken.create({ data: { userId: user.id, name: "ci", tokenHash: uniq("t"), prefix: "st_ab", expiresAt: T2 } });
    await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: T1, revokedAt: T1 } });
    expect(await prisma.apiToken.findFirst({ where: { userId: user.id, name: "ci" } })).toMatchObject({ revokedAt: T1, expiresAt: T2 });
    covered.add("ApiToken");

    const details = { before: { role: "viewer" }, after: { role: "admin" }, list: [1, "two", null, true] };
    const event = await prisma.auditEvent.create({ data: { actorId: user.id, actorEmail: user.email, action: "user.update", targetType: "user", targetId: user.id, ip: "127.0.0.1", details } });
    expect(typeof event.id).toBe("bigint");
    expect((await prisma.auditEvent.findUniqueOrThrow({ where: { id: event.id } })).details).toEqual(details);
    await prisma.auditEvent.update({ where: { id: event.id }, data: { details: Prisma.DbNull } });
    covered.add("AuditEvent");

    const attempt = await prisma.loginAttempt.create({ data: { email: user.email, ip: "10.0.0.1", success: false } });
    await prisma.loginAttempt.update({ where: { id: attempt.id }, data: { success: true } });
    expect(await prisma.loginAttempt.count({ where: { email: user.email, at: { gte: T0 } } })).toBe(1);
    covered.add("LoginAttempt");

    const agent = await newAgent();
    await prisma.agent.update({ where: { id: agent.id }, data: { version: "0.1.0", hostname: "backup1", url: "http://127.0.0.1:7070", sshPublicKey: "ssh-ed25519 AAAA", lastSeenAt: T1 } });
    expect(await prisma.agent.findUniqueOrThrow({ where: { name: agent.name } })).toMatchObject({ version: "0.1.0", lastSeenAt: T1 });
    covered.add("Agent");

    const enrol = await prisma.enrolmentToken.create({ data: { tokenHash: uniq("e"), label: "backup2", expiresAt: T2, createdById: user.id } });
    await prisma.enrolmentToken.update({ where: { id: enrol.id }, data: { usedAt: T1, usedByAgent: agent.id } });
    expect(await prisma.enrolmentToken.findUniqueOrThrow({ where: { tokenHash: enrol.tokenHash } })).toMatchObject({ usedByAgent: agent.id });
    covered.add("EnrolmentToken");

    const host = await newHost(agent.id);
    expect(host).toMatchObject({ sshUser: "root", sshPort: 22, description: "", hostKeyFingerprint: null });
    await prisma.host.update({ where: { id: host.id }, data: { hostKeyFingerprint: "SHA256:abc", pendingHostKeyFingerprint: "SHA256:def", sshPort: 2222 } });
    covered.add("Host");

    await prisma.hostAssignment.create({ data: { userId: user.id, hostId: host.id } });
    const withHosts = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, include: { hosts: { include: { host: true } } } });
    expect(withHosts.hosts.map((a) => a.host.name)).toEqual([host.name]);
    await prisma.hostAssignment.update({ where: { userId_hostId: { userId: user.id, hostId: host.id } }, data: { createdAt: T0 } });
    covered.add("HostAssignment");

    const job = await prisma.job.create({
      data: {
        hostId: host.id, name: "etc", method: "mirror", schedule: "0 2 * * *",
        sources: ["/etc", "/home/a b"], includes: [], excludes: ["**/*.tmp"],
        retention: { keepDaily: 7, olderThan: "30D" }, options: { compression: "zstd" }, secretsEnc: "enc",
      },
    });
    expect(job).toMatchObject({ enabled: true, revision: 1, runMissed: false, overdueAfterHours: 36, notify: {}, includes: [] });
    const job2 = await prisma.job.update({ where: { id: job.id }, data: { sources: { push: "/var/www" }, revision: { increment: 1 }, preCommand: "sync" } });
    expect(job2.sources).toEqual(["/etc", "/home/a b", "/var/www"]);
    expect(await prisma.job.findFirst({ where: { sources: { has: "/var/www" }, retention: { path: ["keepDaily"], equals: 7 } } })).not.toBeNull();
    covered.add("Job");

    const repo = await prisma.repository.create({ data: { name: "etc", format: "mirror", agentId: agent.id, path: "/srv/r/etc", hostId: host.id, jobId: job.id } });
    const big = 2n ** 53n + 7n;
    await prisma.repository.update({ where: { id: repo.id }, data: { sizeBytes: big, importState: "complete" } });
    expect((await prisma.job.findUniqueOrThrow({ where: { id: job.id }, include: { repository: true } })).repository?.sizeBytes).toBe(big);
    covered.add("Repository");

    const inc = await prisma.increment.create({ data: { repositoryId: repo.id, time: T1, kind: "incremental", sizeBytes: big, archives: ["a.tar.gz", "b.tar.gz"], fileCount: 3 } });
    await prisma.increment.update({ where: { id: inc.id }, data: { deletedCount: 1, treeBytes: big * 2n } });
    expect(await prisma.increment.findUniqueOrThrow({ where: { repositoryId_time: { repositoryId: repo.id, time: T1 } } })).toMatchObject({ treeBytes: big * 2n, archives: ["a.tar.gz", "b.tar.gz"] });
    covered.add("Increment");

    const run = await prisma.run.create({ data: { jobId: job.id, repositoryId: repo.id, agentId: agent.id, incrementId: inc.id, requestedById: user.id } });
    expect(run).toMatchObject({ type: "backup", trigger: "schedule", status: "queued", log: "", stats: {}, droppedLogLines: 0 });
    await prisma.run.update({ where: { id: run.id }, data: { status: "success", startedAt: T1, finishedAt: T2, stats: { files: 3, bytes: 42 }, log: "done\n" } });
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id }, include: { increment: true } })).increment?.id).toBe(inc.id);
    covered.add("Run");

    const fv = await prisma.fileVersion.create({
      data: { repositoryId: repo.id, path: "/etc/hosts", parent: "/etc", name: "hosts", type: "file", size: big, mtime: T0, mode: 0o644, uid: 0, gid: 0, digest: "sha1:abc", validFrom: T0 },
    });
    await prisma.fileVersion.update({ where: { id: fv.id }, data: { validUntil: T1 } });
    expect(await prisma.fileVersion.findFirstOrThrow({ where: { repositoryId: repo.id, parent: "/etc", validFrom: { lte: T1 }, OR: [{ validUntil: null }, { validUntil: { gt: T0 } }] } })).toMatchObject({ size: big, mode: 0o644 });
    covered.add("FileVersion");

    // Delete in dependency order; every table ends empty.
    await prisma.fileVersion.delete({ where: { id: fv.id } });
    await prisma.run.delete({ where: { id: run.id } });
    await prisma.increment.delete({ where: { id: inc.id } });
    await prisma.repository.delete({ where: { id: repo.id } });
    await prisma.job.delete({ where: { id: job.id } });
    await prisma.hostAssignment.delete({ where: { userId_hostId: { userId: user.id, hostId: host.id } } });
    await prisma.host.delete({ where: { id: host.id } });
    await prisma.enrolmentToken.delete({ where: { id: enrol.id } });
    await prisma.agent.delete({ where: { id: agent.id } });
    await prisma.loginAttempt.delete({ where: { id: attempt.id } });
    await prisma.auditEvent.delete({ where: { id: event.id } });
    await prisma.apiToken.delete({ where: { id: token.id } });
    await prisma.user.delete({ where: { id: user.id } });

    expect([...covered].sort()).toEqual(Object.values(Prisma.ModelName).sort());
    const counts = await Promise.all([
      prisma.user.count(), prisma.apiToken.count(), prisma.auditEvent.count(), prisma.loginAttempt.count(), prisma.agent.count(),
      prisma.enrolmentToken.count(), prisma.host.count(), prisma.hostAssignment.count(), prisma.job.count(),
      prisma.repository.count(), prisma.increment.count(), prisma.run.count(), prisma.fileVersion.count(),
    ]);
    expect(counts).toEqual(new Array(13).fill(0));
  });

  it("stores every value of every enum", async () => {
    for (const role of Object.values(Role)) expect((await newUser(role)).role).toBe(role);
    const agent = await newAgent();
    const host = await newHost(agent.id);
    for (const method of Object.values(JobMethod)) {
      const job = await prisma.job.create({ data: { hostId: host.id, name: method, method, schedule: "@daily" } });
      expect(job).toMatchObject({ method, sources: [], retention: {} });
    }
    for (const format of Object.values(RepositoryFormat)) {
      const repo = await prisma.repository.create({ data: { name: format, format, agentId: agent.id, path: `/srv/${format}` } });
      expect(repo.format).toBe(format);
      for (const [i, kind] of Object.values(IncrementKind).entries()) {
        const inc = await prisma.increment.create({ data: { repositoryId: repo.id, time: new Date(T0.getTime() + i * 1000), kind } });
        expect(inc.kind).toBe(kind);
      }
      for (const type of Object.values(EntryType)) {
        const fv = await prisma.fileVersion.create({ data: { repositoryId: repo.id, path: `/${type}`, parent: "/", name: type, type, validFrom: T0 } });
        expect(fv.type).toBe(type);
      }
    }
    for (const status of Object.values(RunStatus)) expect((await prisma.run.create({ data: { status, agentId: agent.id } })).status).toBe(status);
  });

  it("cascades, sets null or restricts on delete as the schema says", async () => {
    const user = await newUser("operator");
    const agent = await newAgent();
    const host = await newHost(agent.id);
    await prisma.apiToken.create({ data: { userId: user.id, name: "t", tokenHash: uniq("t"), prefix: "p" } });
    await prisma.hostAssignment.create({ data: { userId: user.id, hostId: host.id } });
    const event = await prisma.auditEvent.create({ data: { actorId: user.id, action: "login", targetType: "user" } });
    const job = await prisma.job.create({ data: { hostId: host.id, name: "j", method: "tarball", schedule: "@daily" } });
    const repo = await prisma.repository.create({ data: { name: "r", format: "archive", agentId: agent.id, path: uniq("/srv"), hostId: host.id, jobId: job.id } });
    const inc = await prisma.increment.create({ data: { repositoryId: repo.id, time: T0, kind: "full" } });
    await prisma.fileVersion.create({ data: { repositoryId: repo.id, path: "/a", parent: "/", name: "a", type: "file", validFrom: T0 } });
    const run = await prisma.run.create({ data: { jobId: job.id, repositoryId: repo.id, agentId: agent.id, incrementId: inc.id } });

    // Agent with a repository: Restrict.
    await expect(prisma.agent.delete({ where: { id: agent.id } })).rejects.toMatchObject({ code: "P2003" });

    await prisma.user.delete({ where: { id: user.id } });
    expect(await prisma.apiToken.count({ where: { userId: user.id } })).toBe(0);
    expect(await prisma.hostAssignment.count({ where: { hostId: host.id } })).toBe(0);
    expect((await prisma.auditEvent.findUniqueOrThrow({ where: { id: event.id } })).actorId).toBeNull();

    await prisma.increment.delete({ where: { id: inc.id } });
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).incrementId).toBeNull();

    await prisma.host.delete({ where: { id: host.id } });
    expect(await prisma.job.count({ where: { id: job.id } })).toBe(0);
    expect(await prisma.repository.findUniqueOrThrow({ where: { id: repo.id } })).toMatchObject({ hostId: null, jobId: null });
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).jobId).toBeNull();

    await prisma.repository.delete({ where: { id: repo.id } });
    expect(await prisma.fileVersion.count({ where: { repositoryId: repo.id } })).toBe(0);
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).repositoryId).toBeNull();

    const host2 = await newHost(agent.id);
    await prisma.agent.delete({ where: { id: agent.id } });
    expect((await prisma.host.findUniqueOrThrow({ where: { id: host2.id } })).agentId).toBeNull();
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).agentId).toBeNull();
  });

  it("enforces unique emails, token hashes and names", async () => {
    const user = await newUser();
    await expect(newUserWithEmail(user.email)).rejects.toMatchObject({ code: "P2002" });
    await prisma.apiToken.create({ data: { userId: user.id, name: "dup", tokenHash: "same", prefix: "p" } });
    await expect(prisma.apiToken.create({ data: { userId: user.id, name: "dup", tokenHash: "other", prefix: "p" } })).rejects.toMatchObject({ code: "P2002" });
    await expect(prisma.apiToken.create({ data: { userId: user.id, name: "x", tokenHash: "same", prefix: "p" } })).rejects.toMatchObject({ code: "P2002" });
  });

  it("serves browse, history and name search from file-version indexes", async () => {
    const agent = await newAgent();
    const repo = await prisma.repository.create({ data: { name: "big", format: "mirror", agentId: agent.id, path: uniq("/srv") } });
    // 20,000 versions: 2,000 directories of 10 files with md5 names, then statistics, so the planner sees real selectivity.
    await prisma.$executeRawUnsafe(
      `INSERT INTO "FileVersion" ("repositoryId", path, parent, name, type, "validFrom")
       SELECT $1::uuid, '/d' || (i / 10) || '/' || md5(i::text), '/d' || (i / 10), md5(i::text), 'file', now() - (i % 7) * interval '1 day'
         FROM generate_series(1, 20000) AS i`,
      repo.id,
    );
    await prisma.$executeRawUnsafe(`ANALYZE "FileVersion"`);
    const explain = async (sql: string) =>
      ((await prisma.$queryRawUnsafe(`EXPLAIN ${sql}`, repo.id)) as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    const plans = {
      children: await explain(`SELECT * FROM "FileVersion" WHERE "repositoryId" = $1::uuid AND parent = '/d42' AND "validFrom" <= now() AND ("validUntil" IS NULL OR "validUntil" > now())`),
      history: await explain(`SELECT * FROM "FileVersion" WHERE "repositoryId" = $1::uuid AND path = '/d42/${md5("420")}' ORDER BY "validFrom"`),
      search: await explain(`SELECT * FROM "FileVersion" WHERE "repositoryId" = $1::uuid AND name ILIKE '%${md5("19999").slice(8, 16)}%'`),
    };
    expect(plans.children).toContain("FileVersion_repositoryId_parent_validFrom_validUntil_idx");
    expect(plans.history).toContain("FileVersion_repositoryId_path_validFrom_idx");
    expect(plans.search).toContain("FileVersion_name_trgm_idx");
  });
});

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function newUserWithEmail(email: string) {
  return prisma.user.create({ data: { email, name: "dup", passwordHash: "h" } });
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("unreachable databases", () => {
  it("report connection refused in one line without the password", async () => {
    const port = await closedPort();
    const url = `postgresql://strata:s3cret-pw@127.0.0.1:${port}/strata?sslmode=disable`;
    const err = (await checkDatabaseReachable(url).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`Cannot reach the database at "postgresql://127.0.0.1:${port}/strata": connection refused`);
  });

  it("report a missing database by name", async () => {
    const url = withDatabaseName(tdb.url, "strata_no_such_db");
    await expect(checkDatabaseReachable(url)).rejects.toThrow(
      `Cannot reach the database at "${describeDatabaseUrl(url)}": the database does not exist`,
    );
    await expect(checkDatabaseReachable(tdb.url)).resolves.toBeUndefined();
  });

  it("make `npm run db:migrate` exit 1 with exactly one line on stderr", async () => {
    const port = await closedPort();
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
      env: { ...process.env, DATABASE_URL: `postgresql://strata:pw@127.0.0.1:${port}/strata` },
    });
    const err = (await run.then(() => null, (e: unknown) => e)) as { code: number; stderr: string };
    expect(err?.code).toBe(1);
    const lines = err.stderr.split("\n").filter((l) => l && !l.startsWith("npm warn"));
    expect(lines).toEqual([`Cannot reach the database at "postgresql://127.0.0.1:${port}/strata": connection refused`]);
  });

  it("recognise the embedded database's URL and size its pool to one", () => {
    expect(isEmbeddedDatabaseUrl("postgresql://p:p@127.0.0.1:5/postgres?sslmode=disable&application_name=strata-embedded")).toBe(true);
    expect(isEmbeddedDatabaseUrl("postgresql://postgres@127.0.0.1:5432/strata")).toBe(false);
    expect(createPrismaClient("postgresql://postgres@127.0.0.1:5432/strata")).toBeDefined();
  });
});
