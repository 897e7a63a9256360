// Runs on the real local agent: "run now" on a local host's mirror job opens the run, whose log streams live (SSE)
// until success; the run, its repository and the fleet's "ok" follow. A second run now while one runs is refused
// with the run's id; cancel stops a running run; an assigned viewer reads runs but cannot start or cancel them.
// A queued run names the agent it waits for. A failed run posts the job's webhook from the running console.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { test, expect, request as pwRequest, type APIRequestContext } from "@playwright/test";
import { E2E_ADMIN, E2E_PORT } from "../harness/constants";
import { createUser, localAgentId, signInUi, uniqueIp } from "../harness/api";

test("run now on the local agent streams the log live, records the run and turns the host ok; cancel and viewer rights", async ({ browser }) => {
  test.setTimeout(180_000);
  const seeder = await pwRequest.newContext({ baseURL: `http://127.0.0.1:${E2E_PORT}`, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const viewer = await createUser(seeder, "viewer");
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const agentId = await localAgentId(admin.request);

  const src = mkdtempSync(path.join(os.tmpdir(), "strata-e2e-runs-"));
  mkdirSync(path.join(src, "docs"));
  writeFileSync(path.join(src, "docs/a.txt"), "hello\n");
  writeFileSync(path.join(src, "b.bin"), Buffer.alloc(100_000, 7));
  const hostName = `self-${Date.now()}`;
  const hostRes = await admin.request.post("/api/v1/hosts", { data: { name: hostName, address: "local", transport: "local", agentId } });
  expect(hostRes.status()).toBe(201);
  const hostId = (await hostRes.json()).host.id as string;
  const mkJob = async (name: string, preCommand: string) => {
    const res = await admin.request.post(`/api/v1/hosts/${hostId}/jobs`, { data: { name, method: "mirror", sources: [src], schedule: { kind: "daily", at: "03:00" }, options: {}, preCommand } });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()).job.id as string;
  };
  const jobId = await mkJob("files", "echo step-one; sleep 3; echo step-two");

  // Run now from the job page opens the run; its log arrives while it runs.
  await admin.goto(`/hosts/${hostId}/jobs/${jobId}`);
  await expect(admin.getByText("No runs yet.")).toBeVisible();
  await admin.getByTestId("run-now-form").getByRole("button", { name: "Run now" }).click();
  await admin.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = admin.url().split("/").pop()!;
  await expect(admin.getByTestId("run-log")).toContainText("step-one", { timeout: 30_000 });
  await expect(admin.getByTestId("live-status")).toContainText("running");
  await expect(admin.getByTestId("live-state")).toHaveText("live");
  await expect(admin.getByTestId("run-log")).toContainText("step-two", { timeout: 30_000 });
  await expect(admin.getByTestId("live-status")).toContainText("success", { timeout: 60_000 });
  await expect(admin.getByTestId("live-state")).toHaveText("finished");
  await expect(admin.getByTestId("run-facts")).toContainText("manual");

  const run = (await (await admin.request.get(`/api/v1/runs/${runId}`)).json()).run;
  expect(run).toMatchObject({ status: "success", trigger: "manual", final: true, job: { id: jobId, name: "files" } });
  expect(run.log).toContain("step-one\n");
  expect(run.incrementTime).not.toBeNull();
  // The finished run links to its increment in the browser.
  await admin.reload();
  await admin.getByTestId("run-browse").click();
  await admin.waitForURL(/\/repositories\/[0-9a-f-]{36}\/browse\?at=/);
  await expect(admin.getByTestId("resolved-increment")).toBeVisible();
  const repos = (await (await admin.request.get("/api/v1/repositories")).json()).repositories as { name: string }[];
  expect(repos.map((r) => r.name)).toContain(`${hostName}/files`);
  await admin.goto(`/hosts/${hostId}/jobs/${jobId}/runs`);
  await expect(admin.getByTestId("run-row")).toHaveCount(1);
  await expect(admin.getByTestId("run-row")).toContainText("success");
  await admin.goto("/hosts?status=ok");
  await expect(admin.getByTestId("host-row").filter({ hasText: hostName })).toHaveAttribute("data-status", "ok");
  await admin.goto(`/hosts/${hostId}`);
  await expect(admin.getByTestId("job-row").filter({ hasText: "files" }).getByTestId("job-last-run")).toContainText("success");

  // A second run now while one runs is refused naming it; cancel stops the running one.
  const slowId = await mkJob("slow", "echo waiting; sleep 60");
  const started = await admin.request.post(`/api/v1/jobs/${slowId}/runs`);
  expect(started.status()).toBe(201);
  const slowRun = (await started.json()).run.id as string;
  const again = await admin.request.post(`/api/v1/jobs/${slowId}/runs`);
  expect(again.status()).toBe(409);
  expect((await again.json()).runId).toBe(slowRun);
  await admin.goto(`/hosts/${hostId}/jobs/${slowId}/runs`);
  await admin.getByTestId("run-now-form").getByRole("button", { name: "Run now" }).click();
  await expect(admin.getByTestId("run-now-form").getByTestId("form-message")).toContainText(`(run ${slowRun})`);
  await admin.goto(`/runs/${slowRun}`);
  await expect(admin.getByTestId("run-log")).toContainText("waiting", { timeout: 30_000 });
  await admin.getByRole("button", { name: "Cancel run" }).click();
  await expect(admin.getByTestId("cancel-run-form").getByTestId("form-message")).toContainText(/Cancel requested|Run cancelled/);
  await expect(admin.getByTestId("live-status")).toContainText("cancelled", { timeout: 30_000 });

  // An assigned viewer reads the runs, without run now or cancel.
  await admin.goto(`/admin/users/${viewer.id}`);
  await admin.getByTestId("hosts-form").getByLabel(hostName).check();
  await admin.getByRole("button", { name: "Save host access" }).click();
  await expect(admin.getByTestId("hosts-form").getByTestId("form-message")).toContainText("Hosts assigned: 1");
  const v = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(v, viewer.email, viewer.password);
  await expect(v.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await v.goto(`/hosts/${hostId}/jobs/${slowId}/runs`);
  await expect(v.getByTestId("run-row")).toContainText("cancelled");
  await expect(v.getByRole("button", { name: "Run now" })).toHaveCount(0);
  await v.goto(`/runs/${runId}`);
  await expect(v.getByTestId("run-log")).toContainText("step-two");
  expect((await v.request.post(`/api/v1/jobs/${jobId}/runs`)).status()).toBe(403);
  expect((await v.request.post(`/api/v1/runs/${slowRun}/cancel`)).status()).toBe(403);
  await v.goto("/runs");
  await expect(v.getByTestId("run-row")).toHaveCount(2);
});

test("a run now for an agent that has not picked it up names the agent it waits for, and still blocks while the agent is online", async ({ browser }) => {
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  // An agent enrolled just now (so online) that never polls for commands.
  await admin.goto("/admin/agents");
  await admin.getByLabel("Label").fill("idle");
  await admin.getByRole("button", { name: "Create enrolment token" }).click();
  const enrolmentToken = (await admin.getByTestId("revealed-secret").textContent())!.trim();
  const name = `idle-${Date.now()}`;
  const enrol = await admin.request.post("/api/agent/v1/enrol", { data: { v: 1, enrolmentToken, name, version: "e2e", hostname: "nowhere" } });
  expect(enrol.status(), await enrol.text()).toBe(200);
  const hostId = (await (await admin.request.post("/api/v1/hosts", { data: { name: `waits-${Date.now()}`, address: "192.0.2.40", agentId: (await enrol.json()).agentId } })).json()).host.id as string;
  const job = await admin.request.post(`/api/v1/hosts/${hostId}/jobs`, { data: { name: "files", method: "mirror", sources: ["/srv"], schedule: { kind: "daily", at: "03:00" }, options: {} } });
  expect(job.status(), await job.text()).toBe(201);
  const jobId = (await job.json()).job.id as string;

  const started = await admin.request.post(`/api/v1/jobs/${jobId}/runs`);
  expect(started.status()).toBe(201);
  const runId = (await started.json()).run.id as string;
  await admin.goto(`/runs/${runId}`);
  await expect(admin.getByTestId("run-waiting")).toHaveText(`Waiting for agent ${name} to pick this run up.`);
  const again = await admin.request.post(`/api/v1/jobs/${jobId}/runs`);
  expect(again.status()).toBe(409);
  expect((await again.json()).runId).toBe(runId);
  await admin.getByRole("button", { name: "Cancel run" }).click();
  // Cancelled before it started: the page turns final at once (no note, no cancel button, the reason shown).
  await expect(admin.getByTestId("run-reason")).toHaveText(`Cancelled by ${E2E_ADMIN.email} before it started`);
  await expect(admin.getByTestId("live-status")).toHaveText("cancelled");
  await expect(admin.getByTestId("live-state")).toHaveText("finished");
  await expect(admin.getByTestId("run-waiting")).toHaveCount(0);
  await expect(admin.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
});

test("a failed run posts the job's webhook once, with the reason and the log's last lines", async ({ browser }) => {
  const hooks: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooks.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
    await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
    await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    const agentId = await localAgentId(admin.request);
    const hostName = `fail-${Date.now()}`;
    const hostId = (await (await admin.request.post("/api/v1/hosts", { data: { name: hostName, address: "local", transport: "local", agentId } })).json()).host.id as string;
    const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const job = await admin.request.post(`/api/v1/hosts/${hostId}/jobs`, {
      data: { name: "broken", method: "mirror", sources: [os.tmpdir()], schedule: { kind: "daily", at: "04:00" }, options: {}, preCommand: "echo about to fail; exit 3", notify: { webhook, onFailure: true } },
    });
    expect(job.status(), await job.text()).toBe(201);
    const jobId = (await job.json()).job.id as string;
    const run = (await (await admin.request.post(`/api/v1/jobs/${jobId}/run`)).json()).run.id as string;
    await expect.poll(() => hooks.length, { timeout: 60_000, message: "the webhook should be posted" }).toBe(1);
    expect(hooks[0]).toMatchObject({ event: "run.finished", status: "failed", host: { id: hostId, name: hostName }, job: { id: jobId, name: "broken" }, run: { id: run } });
    expect(hooks[0].logTail).toEqual(expect.arrayContaining([expect.stringContaining("about to fail")]));
    expect(String(hooks[0].reason)).toMatch(/exit code 3/);
    expect(String(hooks[0].link)).toMatch(new RegExp(`/runs/${run}$`));
    await admin.goto("/");
    await expect(admin.getByTestId("host-row").filter({ hasText: hostName })).toHaveAttribute("data-status", "failing");
    await admin.waitForTimeout(1500);
    expect(hooks).toHaveLength(1);
  } finally {
    await new Promise((r) => server.close(() => r(null)));
  }
});
