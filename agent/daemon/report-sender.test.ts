import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RUN_LOG_MAX_LINES, RUN_REASON_MAX } from "@/lib/schemas/agent-protocol";
import { ConsoleClient } from "./console-client";
import { ReportSender } from "./report-sender";
import { REJECTED_KEEP_MS, RunSpool } from "./run-spool";
import { TestConsole } from "./test-console";

let dir: string;
let con: TestConsole;
let spool: RunSpool;
const events: string[] = [];
const JOB = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const id = (n: number) => `bbbbbbbb-bbbb-4bbb-8bbb-${String(n).padStart(12, "0")}`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-sender-"));
  con = await new TestConsole().start();
  spool = new RunSpool(dir);
  await spool.load();
  events.length = 0;
});
afterEach(async () => {
  await con.close();
  await rm(dir, { recursive: true, force: true });
});

const sender = () => new ReportSender({ spool, client: new ConsoleClient(con.url), token: con.token, log: (e) => void events.push(e) });

async function finishedRun(n: number, lines: number, changeSet = true) {
  await spool.create(id(n), { v: 1, jobId: JOB, type: "backup", trigger: "schedule", status: "queued", queuedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString() });
  const rec = spool.recorder(id(n));
  await rec.update({ status: "running", startedAt: new Date().toISOString(), repository: "/srv/repos/web1/files", format: "mirror" });
  for (let i = 0; i < lines; i++) rec.log(`line ${i}`);
  if (changeSet) {
    await writeFile(rec.changeSetPath, JSON.stringify({ v: 1, kind: "header", format: "mirror", time: 1_780_000_000 + n, previousTime: null }) + "\n" + JSON.stringify({ v: 1, change: "new", path: "a.txt", type: "file", size: 1 }) + "\n");
    await rec.changeSet({ file: rec.changeSetPath, repository: "/srv/repos/web1/files", incrementKind: "mirror", sizeBytes: 1 });
  }
  await rec.removed("/srv/repos/web1/files", [1_700_000_000]);
  await rec.finish({ status: "success", stats: { newFiles: 1 }, incrementTime: 1_780_000_000 + n });
}

describe("report sender", () => {
  it("clips a run's reason to what a report may carry, so the run still loads after a restart", async () => {
    await spool.create(id(1), { v: 1, jobId: JOB, type: "backup", trigger: "schedule", status: "skipped", reason: "x".repeat(3000), queuedAt: "2026-01-01T00:00:00.000Z" }, true);
    const again = new RunSpool(dir);
    await again.load((e) => void events.push(e));
    expect(again.get(id(1))?.report.reason).toBe("x".repeat(RUN_REASON_MAX));
    expect(events).not.toContain("spool.corrupt");
    expect(await new ReportSender({ spool: again, client: new ConsoleClient(con.url), token: con.token, log: () => undefined }).pass()).toBe(true);
    expect(con.runs.get(id(1))?.report.reason).toHaveLength(RUN_REASON_MAX);
  });

  it("bounds the log (head, dropped marker, tail) and delivers it in chunks, then change set, removals, final", async () => {
    await finishedRun(1, 12_000);
    const run = spool.get(id(1))!;
    expect(run.logLines).toBe(RUN_LOG_MAX_LINES);
    expect(run.droppedLogLines).toBe(12_000 - (RUN_LOG_MAX_LINES - 201) - 200);
    expect(await sender().pass()).toBe(true);
    const got = con.runs.get(id(1))!;
    expect(got.log).toHaveLength(RUN_LOG_MAX_LINES);
    expect(got.log[0]).toBe("line 0");
    expect(got.log[RUN_LOG_MAX_LINES - 201]).toBe(`… ${run.droppedLogLines} log lines dropped …`);
    expect(got.log.at(-1)).toBe("line 11999");
    expect(got.report).toMatchObject({ status: "success", droppedLogLines: run.droppedLogLines, incrementTime: 1_780_000_001 });
    expect(got.statuses).toEqual([...Array(10).fill("running"), "success"]);
    expect(con.requests.filter((r) => !r.startsWith("PUT"))).toEqual(["POST /api/agent/v1/increments", "POST /api/agent/v1/increments/remove"]);
    expect(con.requests.at(-1)).toBe(`PUT /api/agent/v1/runs/${id(1)}`);
    expect(con.changeSets[0].header).toMatchObject({ repository: "/srv/repos/web1/files", incrementKind: "mirror", time: 1_780_000_001 });
    expect(con.removals).toEqual([{ repository: "/srv/repos/web1/files", times: [1_700_000_000] }]);
    expect(spool.list()).toEqual([]);
  });

  it("keeps everything while the console is down and delivers it when it returns", async () => {
    await finishedRun(1, 3);
    await finishedRun(2, 3);
    con.down = true;
    const s = sender();
    expect(await s.pass()).toBe(false);
    expect(events).toEqual(["reports.retry"]);
    expect(spool.list().map((r) => r.runId)).toEqual([id(1), id(2)]);
    // Survives a restart of the agent: a new spool reads the same files.
    spool = new RunSpool(dir);
    await spool.load();
    con.down = false;
    expect(await sender().pass()).toBe(true);
    expect([...con.runs.keys()]).toEqual([id(1), id(2)]);
    expect([...con.runs.values()].map((r) => r.log)).toEqual([["line 0", "line 1", "line 2"], ["line 0", "line 1", "line 2"]]);
  });

  it("a lost answer is retried without duplicating log lines or change sets", async () => {
    await finishedRun(1, 5);
    // The first running update and the change set are applied by the console but their answers are lost.
    for (const r of [`PUT /api/agent/v1/runs/${id(1)}`, "POST /api/agent/v1/increments"]) con.loseAnswerTo.add(r);
    const s = sender();
    expect(await s.pass()).toBe(false);
    expect(await s.pass()).toBe(false);
    expect(await s.pass()).toBe(true);
    const got = con.runs.get(id(1))!;
    expect(got.log).toEqual(["line 0", "line 1", "line 2", "line 3", "line 4"]);
    expect(got.report.status).toBe("success");
    // The console ingests a change set idempotently per (repository, time); it was sent again after the lost answer.
    expect(con.changeSets.map((c) => c.header.time)).toEqual([1_780_000_001, 1_780_000_001]);
  });

  it("a report the console refuses for good stays on disk marked rejected, and the others go on", async () => {
    await spool.create(id(1), { v: 1, jobId: JOB, type: "backup", trigger: "schedule", status: "skipped", reason: "busy", queuedAt: "yesterday" }, true);
    await finishedRun(2, 1, false);
    expect(await sender().pass()).toBe(true);
    expect(spool.get(id(1))?.rejected).toMatch(/^The console refused the request \(400\)/);
    expect(con.runs.get(id(2))?.report.status).toBe("success");
    expect(events).toContain("reports.rejected");
  });

  it("a refused report stays on disk for a month for people to look at, then the next start deletes it", async () => {
    await finishedRun(1, 1, false);
    await finishedRun(3, 1, false);
    con.refuse.add(`PUT /api/agent/v1/runs/${id(1)}`);
    expect(await sender().pass()).toBe(true);
    expect(spool.get(id(1))?.rejected).toMatch(/422/);
    expect(spool.get(id(3))).toBeUndefined();
    await finishedRun(3, 1, false);
    const rejectedAt = Date.parse(spool.get(id(1))!.rejectedAt!);
    const runDir = spool.runDir(id(1));
    const pruned: string[] = [];
    const within = await new RunSpool(dir).load((e) => void pruned.push(e), new Date(rejectedAt + REJECTED_KEEP_MS - 60_000));
    expect(within.map((r) => r.runId)).toEqual([id(1), id(3)]);
    const after = await new RunSpool(dir).load((e) => void pruned.push(e), new Date(rejectedAt + REJECTED_KEEP_MS + 60_000));
    expect(after.map((r) => r.runId)).toEqual([id(3)]);
    expect(pruned).toEqual(["spool.rejected-pruned"]);
    await expect(stat(runDir)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
