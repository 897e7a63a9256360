// Notifications end to end on real PostgreSQL, a real SMTP server (smtp-server, in process) and a local HTTP
// server: run failures and successes per the job's settings, once per run; overdue jobs once until the next
// success; an unreachable mail server or a failing webhook is logged and reported, never thrown.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { TestDatabase } from "@/lib/db/test-db";
import type { DeliveryConfig } from "./deliver";

let tdb: TestDatabase;
let runFinished: typeof import("./run-finished");
let overdue: typeof import("./overdue");
let runs: typeof import("@/lib/data/runs");
let smtp: SMTPServer;
let http: Server;
let cfg: DeliveryConfig;
let hookUrl: string;
let agentId: string, hostId: string;
const mails: { to: string[]; raw: string }[] = [];
const hooks: { body: Record<string, unknown> }[] = [];
let hookStatus = 200;

/** Decodes the quoted-printable soft breaks and escapes nodemailer may use in long lines. */
const decode = (raw: string) => raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  runFinished = await import("./run-finished");
  overdue = await import("./overdue");
  runs = await import("@/lib/data/runs");
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: decode(Buffer.concat(chunks).toString()) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  http = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooks.push({ body: JSON.parse(body) });
      res.writeHead(hookStatus).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  cfg = { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: "Strata <strata@example.org>", timeoutMs: 3000 };
  hookUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
  agentId = (await tdb.prisma.agent.create({ data: { name: "a", tokenHash: randomUUID(), secretEnc: "x" } })).id;
  hostId = (await tdb.prisma.host.create({ data: { name: "web1", address: "192.0.2.10", agentId } })).id;
});

afterAll(async () => {
  await new Promise((r) => smtp?.close(() => r(null)));
  await new Promise((r) => http?.close(() => r(null)));
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

beforeEach(() => {
  mails.length = 0;
  hooks.length = 0;
  hookStatus = 200;
});

async function job(name: string, notify: { emails?: string[]; webhook?: string; onFailure?: boolean; onSuccess?: boolean; onOverdue?: boolean }, over: { createdAt?: Date; overdueAfterHours?: number } = {}) {
  return tdb.prisma.job.create({ data: { hostId, name, method: "mirror", sources: ["/srv"], schedule: "0 3 * * *", notify, ...over } });
}

/** A run reported by the agent up to `status`, with `lines` of log. */
async function finishedRun(jobId: string, status: "success" | "failed" | "cancelled", lines: string[], reason?: string) {
  const id = randomUUID();
  await runs.reportRun(agentId, id, { v: 1, jobId, type: "backup", trigger: "schedule", status: "running", startedAt: "2026-11-20T03:00:00Z", logOffset: 0, log: lines });
  const out = await runs.reportRun(agentId, id, { v: 1, jobId, type: "backup", trigger: "schedule", status, reason, finishedAt: "2026-11-20T03:02:05Z" });
  expect(out.becameFinal).toBe(true);
  return id;
}

describe("run notifications", () => {
  it("mails and posts a failure once, with host, job, status, duration, reason, link and the log's last lines", async () => {
    const j = await job("etc", { emails: ["ops@example.org", "boss@example.org"], webhook: hookUrl, onFailure: true });
    const lines = Array.from({ length: 30 }, (_, i) => `log line ${i}`);
    const id = await finishedRun(j.id, "failed", lines, 'Cannot read "/srv": permission denied');
    expect(await runFinished.notifyRunFinished(id, cfg)).toEqual({ email: "sent", webhook: "sent" });
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(["ops@example.org", "boss@example.org"]);
    for (const s of ["Subject: [Strata] web1/etc: failed", "Host: web1", "Job: etc", "Status: failed", 'Reason: Cannot read "/srv": permission denied', "Duration: 2 min 5 s", `/runs/${id}`, "log line 29", "log line 10"])
      expect(mails[0].raw).toContain(s);
    expect(mails[0].raw).not.toContain("log line 9\n");
    expect(hooks).toHaveLength(1);
    expect(hooks[0].body).toMatchObject({ event: "run.finished", host: { id: hostId, name: "web1" }, job: { id: j.id, name: "etc" }, status: "failed", reason: 'Cannot read "/srv": permission denied', run: { id, durationMs: 125_000 } });
    expect(hooks[0].body.link).toMatch(new RegExp(`/runs/${id}$`));
    expect((hooks[0].body.logTail as string[]).length).toBe(runFinished.LOG_TAIL_LINES);
    expect(await runFinished.notifyRunFinished(id, cfg)).toBeNull();
    expect(mails).toHaveLength(1);
    expect((await tdb.prisma.run.findUniqueOrThrow({ where: { id } })).notifiedAt).toBeInstanceOf(Date);
  });

  it("notifies successes only when asked, and never cancelled runs", async () => {
    const quiet = await job("quiet", { emails: ["ops@example.org"], onFailure: true, onSuccess: false });
    expect(await runFinished.notifyRunFinished(await finishedRun(quiet.id, "success", ["ok"]), cfg)).toBeNull();
    expect(await runFinished.notifyRunFinished(await finishedRun(quiet.id, "cancelled", []), cfg)).toBeNull();
    const chatty = await job("chatty", { webhook: hookUrl, onSuccess: true });
    expect(await runFinished.notifyRunFinished(await finishedRun(chatty.id, "success", ["ok"]), cfg)).toEqual({ email: "skipped: no addresses", webhook: "sent" });
    expect(hooks.map((h) => h.body.status)).toEqual(["success"]);
    expect(mails).toHaveLength(0);
  });

  it("reports an unreachable mail server and a failing webhook without throwing", async () => {
    const j = await job("broken", { emails: ["ops@example.org"], webhook: hookUrl });
    hookStatus = 500;
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const id = await finishedRun(j.id, "failed", ["boom"]);
    const result = await runFinished.notifyRunFinished(id, { ...cfg, smtpUrl: `smtp://127.0.0.1:${closed}` });
    expect(result?.email).toMatch(/^failed: .*ECONNREFUSED/);
    expect(result?.webhook).toBe("failed: HTTP 500");
    expect(await runFinished.notifyRunFinished(id, cfg)).toBeNull();
  });

  it("skips mail when no SMTP server is configured", async () => {
    const j = await job("nosmtp", { emails: ["ops@example.org"] });
    const id = await finishedRun(j.id, "failed", ["boom"]);
    expect(await runFinished.notifyRunFinished(id, { ...cfg, smtpUrl: undefined })).toEqual({ email: "skipped: STRATA_SMTP_URL is not set", webhook: "skipped: no webhook" });
  });
});

describe("host key notifications", () => {
  it("tells each failure recipient of the host's jobs once, with both fingerprints", async () => {
    const { notifyHostKeyChanged } = await import("./host-key");
    const keyHost = await tdb.prisma.host.create({ data: { name: "db1", address: "192.0.2.30", agentId } });
    for (const [name, notify] of [["a", { emails: ["ops@example.org"], webhook: hookUrl }], ["b", { emails: ["ops@example.org", "dba@example.org"] }], ["c", { emails: ["quiet@example.org"], onFailure: false }]] as const)
      await tdb.prisma.job.create({ data: { hostId: keyHost.id, name, method: "mirror", sources: ["/"], schedule: "0 1 * * *", notify } });
    const pinned = "SHA256:" + "a".repeat(43);
    const presented = "SHA256:" + "b".repeat(43);
    expect(await notifyHostKeyChanged(keyHost.id, pinned, presented, cfg)).toEqual([{ email: "sent", webhook: "sent" }]);
    expect(mails).toHaveLength(1);
    expect(mails[0].to.sort()).toEqual(["dba@example.org", "ops@example.org"]);
    expect(mails[0].raw).toContain("Subject: [Strata] db1: host key changed");
    expect(mails[0].raw).toContain(presented);
    expect(hooks[0].body).toMatchObject({ event: "host-key.changed", host: { name: "db1" }, job: null });
    expect(await notifyHostKeyChanged(hostId, null, presented, cfg)).toEqual([{ email: "sent", webhook: "sent" }]);
  });
});

describe("mail configuration", () => {
  it("takes smtp:// and smtps:// URLs and names a wrong one", async () => {
    const { parseEnv } = await import("@/lib/env");
    expect(parseEnv({ STRATA_SMTP_URL: "smtps://u:p@mail.example.org:465" }).STRATA_SMTP_URL).toBe("smtps://u:p@mail.example.org:465");
    expect(parseEnv({}).STRATA_MAIL_FROM).toBe("Strata <strata@localhost>");
    expect(() => parseEnv({ STRATA_SMTP_URL: "mail.example.org" })).toThrow(/STRATA_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
  });
});

describe("overdue notifications", () => {
  it("notifies an overdue job once, and again only after a success cleared it", async () => {
    await tdb.prisma.job.updateMany({ data: { enabled: false } });
    const now = new Date("2026-11-22T12:00:00Z");
    const late = await job("late", { emails: ["ops@example.org"], webhook: hookUrl }, { createdAt: new Date("2026-11-01T00:00:00Z"), overdueAfterHours: 24 });
    await job("fresh", { emails: ["ops@example.org"] }, { createdAt: new Date("2026-11-22T00:00:00Z"), overdueAfterHours: 72 });
    await job("muted", { emails: ["ops@example.org"], onOverdue: false }, { createdAt: new Date("2026-11-01T00:00:00Z") });
    const first = await overdue.checkOverdueJobs(now, cfg);
    expect(first).toEqual([{ jobId: late.id, result: { email: "sent", webhook: "sent" } }]);
    expect(mails[0].raw).toContain("Subject: [Strata] web1/late: overdue");
    expect(hooks[0].body).toMatchObject({ event: "job.overdue", status: "overdue", job: { name: "late" }, run: null });
    expect(String(hooks[0].body.reason)).toContain("No successful run since the job was created");
    expect(await overdue.checkOverdueJobs(new Date(now.getTime() + 3600_000), cfg)).toEqual([]);

    await finishedRun(late.id, "success", ["ok"]);
    expect((await tdb.prisma.job.findUniqueOrThrow({ where: { id: late.id } })).overdueNotifiedAt).toBeNull();
    const success = await tdb.prisma.run.findFirstOrThrow({ where: { jobId: late.id, status: "success" } });
    await tdb.prisma.run.update({ where: { id: success.id }, data: { finishedAt: new Date(now.getTime() - 10 * 3600_000) } });
    expect(await overdue.checkOverdueJobs(now, cfg)).toEqual([]);
    const again = await overdue.checkOverdueJobs(new Date(now.getTime() + 20 * 3600_000), cfg);
    expect(again.map((r) => r.jobId)).toEqual([late.id]);
    expect(String(hooks.at(-1)?.body.reason)).toMatch(/^No successful run for 30 hours/);
  });
});
