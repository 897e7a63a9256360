// The real `strata-agent run` process against a console speaking the contract: SIGKILLed in the middle of a
// mirror session, the next start reports that run failed, regresses the repository and runs the job again;
// SIGTERM during a run aborts it cleanly (reported cancelled) and the process exits 0.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, rm, truncate, writeFile } from "node:fs/promises";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rdiffBackup, requireRdiffBackup } from "../engines/mirror/read/test-rdiff";
import { localHost, mirrorJob } from "../tasks/test-jobs";
import { saveState } from "./state";
import { TestConsole } from "./test-console";
import { INTERRUPTED } from "./run-manager";

const ROOT = path.resolve(__dirname, "../..");
let dir: string;
let con: TestConsole;
let child: ChildProcess | undefined;
let stderr = "";

beforeAll(async () => {
  requireRdiffBackup();
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-kill-"));
  con = await new TestConsole().start();
  await saveState(path.join(dir, "state"), { v: 1, console: con.url, name: "a1", agentId: "a1", token: con.token, secret: "s".repeat(32) });
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await con.close();
  await rm(dir, { recursive: true, force: true });
});

function startAgent(): ChildProcess {
  stderr = "";
  const c = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "agent/main.ts"), "run", "--console", con.url, "--state-dir", path.join(dir, "state")], {
    cwd: ROOT,
    env: { ...process.env, STRATA_AGENT_REPOSITORIES: path.join(dir, "repos"), STRATA_AGENT_TIME_ZONE: "UTC", STRATA_AGENT_LISTEN: "127.0.0.1:0" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  c.stderr!.on("data", (d) => (stderr += d));
  return c;
}

describe("strata-agent run, killed and stopped", () => {
  it("after SIGKILL mid-session: reports the run failed, regresses and reruns the job", async () => {
    const src = path.join(dir, "src");
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, "a.txt"), "alpha\n");
    const host = localHost("web1");
    const job = mirrorJob(host, { sources: [src] });
    con.setJobs({ hosts: [host], jobs: [job] }, "e1");
    child = startAgent();
    const r1 = "44444444-4444-4444-8444-444444444444";
    con.commands = [{ kind: "run", runId: r1, jobId: job.definition.id }];
    await con.until(() => con.runs.get(r1)?.report.status === "success", 60_000, `the first run (agent log: ${stderr})`);

    for (let d = 0; d < 12; d++) {
      await mkdir(path.join(src, `d${d}`));
      await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(path.join(src, `d${d}`, `f${i}.txt`), `file ${d}/${i}\n`)));
    }
    // A 3 GiB sparse file keeps the session busy for seconds (read and SHA-1 of every byte), however fast the
    // engine gets, so the kill lands mid-session.
    const big = path.join(src, "d0/zz-big.bin");
    await writeFile(big, "");
    await truncate(big, 3 * 1024 ** 3);
    const r2 = "55555555-5555-4555-8555-555555555555";
    con.commands = [{ kind: "run", runId: r2, jobId: job.definition.id }];
    await con.until(() => con.runs.get(r2)?.report.status === "running", 60_000, "the second session to be under way");
    await new Promise((r) => setTimeout(r, 500));
    expect(con.runs.get(r2)!.report.status).toBe("running");
    child.kill("SIGKILL");
    await once(child, "exit");

    child = startAgent();
    await con.until(() => con.runs.get(r2)?.report.status === "failed", 60_000, "the killed run's report");
    expect(con.runs.get(r2)!.report.reason).toBe(INTERRUPTED);
    const rerun = () => [...con.runs.values()].find((r) => r.report.trigger === "missed");
    await con.until(() => rerun()?.report.status === "success", 120_000, `the rerun (agent log: ${stderr})`);
    expect(rerun()!.log.join("\n")).toMatch(/previous backup to .* failed; regressing/);
    const repo = path.join(dir, "repos/web1/files");
    expect(rdiffBackup(["verify", repo]).status).toBe(0);
    const out = path.join(dir, "restored");
    expect(rdiffBackup(["restore", "--at", "now", repo, out]).status).toBe(0);
  }, 300_000);

  it("SIGTERM during a run aborts it cleanly: reported cancelled, exit code 0", async () => {
    const host = localHost("web2");
    const job = mirrorJob(host, { sources: [path.join(dir, "src")], preCommand: "sleep 30" });
    con.setJobs({ hosts: [host], jobs: [job] }, "e2");
    const r3 = "66666666-6666-4666-8666-666666666666";
    con.commands = [{ kind: "run", runId: r3, jobId: job.definition.id }];
    await con.until(() => con.runs.get(r3)?.report.status === "running", 60_000, "the run to start");
    const t = Date.now();
    child!.kill("SIGTERM");
    const [code] = await once(child!, "exit");
    child = undefined;
    expect(code).toBe(0);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(con.runs.get(r3)!.report.status).toBe("cancelled");
  }, 120_000);
});
