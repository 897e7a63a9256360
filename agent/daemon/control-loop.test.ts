import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rdiffBackup } from "../engines/mirror/read/test-rdiff";
import { localHost, mirrorJob } from "../tasks/test-jobs";
import { ConsoleClient } from "./console-client";
import { startControlLoop, type ControlLoop } from "./control-loop";
import { JobStore } from "./job-store";
import { TestConsole } from "./test-console";

let dir: string;
let con: TestConsole;
let ac: AbortController;
let loop: ControlLoop | undefined;
let clock: Date;
const host = localHost("web1");
const events: { event: string; fields?: Record<string, unknown> }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-loop-"));
  con = await new TestConsole().start();
  ac = new AbortController();
  clock = new Date("2026-06-01T01:59:00Z");
  events.length = 0;
  await mkdir(path.join(dir, "src"), { recursive: true });
  await writeFile(path.join(dir, "src", "a.txt"), "alpha\n");
});
afterEach(async () => {
  ac.abort();
  await loop?.done;
  loop = undefined;
  await con.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(over: { maxConcurrentRuns?: number } = {}) {
  loop = await startControlLoop({
    ...over,
    client: new ConsoleClient(con.url), token: con.token, stateDir: path.join(dir, "state"), repositoryRoots: [path.join(dir, "repos")],
    timeZone: "UTC", signal: ac.signal, log: (event, fields) => void events.push({ event, fields }), now: () => clock,
    tickMs: 20, commandPollMs: 50, sendIntervalMs: 50, sendBackoffMs: 20, sendMaxBackoffMs: 200,
  });
  return loop;
}

const finals = () => [...con.runs.values()].filter((r) => ["success", "partial", "failed", "cancelled", "skipped"].includes(r.report.status));

describe("control loop against a console speaking the contract", () => {
  it("runs jobs from its disk copy while the console is unreachable, and delivers every report when it returns", async () => {
    const job = mirrorJob(host, { sources: [path.join(dir, "src")], schedule: "0 2 * * *" });
    await new JobStore(path.join(dir, "state")).save({ v: 1, etag: "e1", hosts: [host], jobs: [job] });
    con.down = true;
    const l = await start();
    expect(events.map((e) => e.event)).toContain("jobs.offline");
    expect(l.spool.list()).toEqual([]);
    clock = new Date("2026-06-01T02:00:05Z");
    await con.until(() => l.spool.list().some((r) => r.done), 20_000, "the scheduled run to finish offline");
    const [run] = l.spool.list();
    expect(run.report).toMatchObject({ status: "success", trigger: "schedule", jobId: job.definition.id });
    expect(con.requests).toEqual([]);
    con.down = false;
    await con.until(() => finals().length === 1, 20_000, "the report to arrive");
    const got = con.runs.get(run.runId)!;
    expect(got.report).toMatchObject({ status: "success", trigger: "schedule", repository: path.join(dir, "repos/web1/files"), format: "mirror" });
    expect(got.statuses.at(-1)).toBe("success");
    expect(got.statuses.slice(0, -1).every((s) => s === "running")).toBe(true);
    expect(got.log[0]).toMatch(/^Run .* of job "files"/);
    // The change set went to /increments before the final report.
    const order = con.requests.filter((r) => r.includes("/increments") || r.includes(`/runs/${run.runId}`));
    expect(order.indexOf("POST /api/agent/v1/increments")).toBeLessThan(order.length - 1);
    expect(con.changeSets).toHaveLength(1);
    expect(con.changeSets[0].header).toMatchObject({ repository: path.join(dir, "repos/web1/files"), format: "mirror", time: got.report.incrementTime, incrementKind: "mirror" });
    expect(con.changeSets[0].entries.map((e) => e.path).sort()).toEqual(["", "a.txt"]);
    await con.until(() => l.spool.list().length === 0, 5000, "the spool to empty");
    // The last fire is on disk: the next start finds nothing missed.
    expect(new Date(((await readStore()).lastFire(job.definition.id) ?? 0) * 1000).toISOString()).toBe("2026-06-01T02:00:00.000Z");
  });

  it("pulls jobs by etag, runs 'run now' with the console's run id, and skips a second trigger while it runs", async () => {
    const job = mirrorJob(host, { sources: [path.join(dir, "src")], schedule: "0 2 * * *", preCommand: "sleep 1.5" });
    con.setJobs({ hosts: [host], jobs: [job] }, "e1");
    const l = await start();
    expect(l.store.job(job.definition.id)).toBeDefined();
    const runId = "11111111-1111-4111-8111-111111111111";
    con.commands = [{ kind: "run", runId, jobId: job.definition.id }];
    await con.until(() => con.runs.get(runId)?.report.status === "running", 10_000, "the run to start");
    clock = new Date("2026-06-01T02:00:01Z");
    await con.until(() => finals().some((r) => r.report.status === "skipped"), 10_000, "the skipped run");
    const skipped = finals().find((r) => r.report.status === "skipped")!;
    expect(skipped.report).toMatchObject({ trigger: "schedule", jobId: job.definition.id, reason: `Job "files" is still running (run ${runId}); this schedule run was skipped` });
    await con.until(() => con.runs.get(runId)?.report.status === "success", 20_000, "run now to succeed");
    expect(con.runs.get(runId)!.report.trigger).toBe("manual");
    // Commands repeat until reported; a repeated command does not start the run twice.
    expect(con.commands).toEqual([]);
    expect(con.changeSets).toHaveLength(1);
    // A definition change (new etag) reschedules.
    const changed = { ...job, definition: { ...job.definition, revision: 2, schedule: "30 3 * * *" } };
    con.setJobs({ hosts: [host], jobs: [changed] }, "e2");
    await con.until(() => l.scheduler.nextFire(job.definition.id)?.toISOString() === "2026-06-01T03:30:00.000Z", 5000, "the reschedule");
    expect(con.requests.filter((r) => r === "GET /api/agent/v1/jobs").length).toBeGreaterThanOrEqual(2);
  });

  it("cancel from the console aborts the run; it is reported cancelled", async () => {
    const job = mirrorJob(host, { sources: [path.join(dir, "src")], preCommand: "sleep 30" });
    con.setJobs({ hosts: [host], jobs: [job] }, "e1");
    const l = await start();
    const runId = "22222222-2222-4222-8222-222222222222";
    con.commands = [{ kind: "run", runId, jobId: job.definition.id }];
    await con.until(() => con.runs.get(runId)?.report.status === "running", 10_000, "the run to start");
    const t = Date.now();
    con.commands = [{ kind: "cancel", runId }];
    await con.until(() => con.runs.get(runId)?.report.status === "cancelled", 10_000, "the cancel");
    expect(Date.now() - t).toBeLessThan(5000);
    expect(con.runs.get(runId)!.report.reason).toMatch(/^Cancelled/);
    expect(l.runs.isActive(runId)).toBe(false);
  });

  it("a run the agent left unfinished is reported failed at the next start and its job runs again", async () => {
    const job = mirrorJob(host, { sources: [path.join(dir, "src")] });
    con.setJobs({ hosts: [host], jobs: [job] }, "e1");
    // What a killed agent leaves: a spooled run still "running".
    const first = await start();
    const runId = "33333333-3333-4333-8333-333333333333";
    await first.spool.create(runId, { v: 1, jobId: job.definition.id, type: "backup", trigger: "schedule", status: "running", queuedAt: clock.toISOString() });
    await first.spool.update(runId, (r) => void (r.pid = 999_999));
    ac.abort();
    await first.done;
    con.runs.clear();
    ac = new AbortController();
    const l = await start();
    await con.until(() => con.runs.get(runId)?.report.status === "failed", 10_000, "the interrupted run's report");
    expect(con.runs.get(runId)!.report.reason).toBe("agent stopped during the run");
    await con.until(() => finals().some((r) => r.report.trigger === "missed" && r.report.status === "success"), 20_000, "the rerun");
    expect(l.spool.list().filter((r) => !r.done)).toEqual([]);
    expect(rdiffBackup(["verify", path.join(dir, "repos/web1/files")]).status).toBe(0);
  });
});

describe("run slots", () => {
  it("runs at most maxConcurrentRuns at once: the next waits queued, and a cancel while it waits never starts it", async () => {
    const slow = mirrorJob(host, { name: "slow", sources: [path.join(dir, "src")], preCommand: "sleep 1" });
    const next = mirrorJob(host, { name: "next", sources: [path.join(dir, "src")] });
    const dropped = mirrorJob(host, { name: "dropped", sources: [path.join(dir, "src")] });
    con.setJobs({ hosts: [host], jobs: [slow, next, dropped] }, "e1");
    await start({ maxConcurrentRuns: 1 });
    const [a, b, c] = ["a", "b", "c"].map((x) => `${x.repeat(8)}-${x.repeat(4)}-4${x.repeat(3)}-8${x.repeat(3)}-${x.repeat(12)}`);
    con.commands = [
      { kind: "run", runId: a, jobId: slow.definition.id },
      { kind: "run", runId: b, jobId: next.definition.id },
      { kind: "run", runId: c, jobId: dropped.definition.id },
    ];
    await con.until(() => con.runs.get(a)?.report.status === "running" && con.runs.get(c)?.report.status === "queued", 10_000, "one running, the others queued");
    expect(con.runs.get(b)!.report.status).toBe("queued");
    await con.until(() => con.runs.get(b)?.log[0] === "Waiting for a free run slot (1 runs at once)", 5000, "the waiting line");
    con.cancelRequested.add(c);
    await con.until(() => con.runs.get(c)?.report.status === "cancelled", 10_000, "the waiting run cancelled");
    expect(con.runs.get(c)!.report.reason).toBe("Cancelled before it started");
    await con.until(() => con.runs.get(b)?.report.status === "success", 20_000, "the queued run to get its turn");
    expect(con.runs.get(a)!.report.status).toBe("success");
    expect(Date.parse(con.runs.get(b)!.report.startedAt!)).toBeGreaterThanOrEqual(Date.parse(con.runs.get(a)!.report.finishedAt!));
  });
});

describe("missed runs", () => {
  it("runs once at start a job whose fire times passed while the agent was stopped, if the job says so", async () => {
    const catchUp = mirrorJob(host, { name: "catchup", sources: [path.join(dir, "src")], schedule: "0 * * * *", runMissed: true });
    const noCatchUp = mirrorJob(host, { name: "nocatchup", sources: [path.join(dir, "src")], schedule: "0 * * * *", runMissed: false });
    const store = new JobStore(path.join(dir, "state"));
    await store.save({ v: 1, etag: "e1", hosts: [host], jobs: [catchUp, noCatchUp] });
    const stoppedAt = Date.parse("2026-06-01T00:00:00Z") / 1000;
    await store.recordFires({ [catchUp.definition.id]: stoppedAt, [noCatchUp.definition.id]: stoppedAt });
    con.setJobs({ hosts: [host], jobs: [catchUp, noCatchUp] }, "e1");
    clock = new Date("2026-06-01T05:30:00Z");
    await start();
    await con.until(() => finals().length === 1, 20_000, "the missed run");
    expect(finals()[0].report).toMatchObject({ jobId: catchUp.definition.id, trigger: "missed", status: "success" });
    expect((await readStore()).lastFire(noCatchUp.definition.id)).toBe(Date.parse("2026-06-01T05:00:00Z") / 1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(con.runs.size).toBe(1);
  });
});

describe("state directory", () => {
  it("refuses a second daemon on the same state directory", async () => {
    await start();
    await expect(
      startControlLoop({ client: new ConsoleClient(con.url), token: con.token, stateDir: path.join(dir, "state"), repositoryRoots: [], signal: ac.signal, log: () => undefined }),
    ).rejects.toThrow(`This process already runs an agent daemon on "${path.join(dir, "state")}"`);
  });
});

describe("restore commands", () => {
  it("restores a mirror path to a directory on a local host; archive restores are refused clearly", async () => {
    await mkdir(path.join(dir, "src/sub"), { recursive: true });
    await writeFile(path.join(dir, "src/sub/b.txt"), "beta\n");
    const job = mirrorJob(host, { sources: [path.join(dir, "src")] });
    con.setJobs({ hosts: [host], jobs: [job] }, "e1");
    await start();
    const backup = "77777777-7777-4777-8777-777777777777";
    con.commands = [{ kind: "run", runId: backup, jobId: job.definition.id }];
    await con.until(() => con.runs.get(backup)?.report.status === "success", 20_000, "the backup");
    const repositoryPath = path.join(dir, "repos/web1/files");
    const at = con.runs.get(backup)!.report.incrementTime!;
    const target = path.join(dir, "restored");
    const restore = "88888888-8888-4888-8888-888888888888";
    const refused = "99999999-9999-4999-8999-999999999999";
    con.commands = [
      { kind: "restore", runId: restore, params: { repositoryPath, format: "mirror", path: "sub", at, hostId: host.id, target, overwrite: false } },
      { kind: "restore", runId: refused, params: { repositoryPath, format: "archive", path: "", at, hostId: host.id, target, overwrite: false } },
    ];
    await con.until(() => finals().length === 3, 20_000, "both restores");
    expect(con.runs.get(restore)!.report).toMatchObject({ status: "success", type: "restore", jobId: null, stats: { restoredFiles: 1, restoredBytes: 5 } });
    expect(await readFile(path.join(target, "b.txt"), "utf8")).toBe("beta\n");
    // A mirror announced as an archive repository has no archives: the restore fails and says so.
    expect(con.runs.get(refused)!.report).toMatchObject({ status: "failed", reason: expect.stringContaining("has no archive at or before") });
  });
});

async function readStore() {
  const s = new JobStore(path.join(dir, "state"));
  await s.load();
  return s;
}
