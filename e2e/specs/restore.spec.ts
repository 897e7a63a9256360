// Restore back to a host on the real local agent: a folder backed up twice (changed in between) through a local
// host's mirror job, then its OLD version restored through the form from the browse page to a new directory, the
// run followed to success on /runs/{id} and the files compared byte for byte. A second restore to the same
// non-empty target without overwrite replaces nothing and ends without success, naming the refused files.
// A viewer gets no restore link, the 403 page and 403 from the API.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect, type APIRequestContext } from "@playwright/test";
import { E2E_ADMIN } from "../harness/constants";
import { createUser, localAgentId, signInUi, uniqueIp } from "../harness/api";

/** Runs the job now and waits for its run to succeed. */
async function runToSuccess(api: APIRequestContext, jobId: string): Promise<void> {
  const res = await api.post(`/api/v1/jobs/${jobId}/run`);
  expect(res.status(), await res.text()).toBe(201);
  const runId = (await res.json()).run.id as string;
  await expect.poll(async () => (await (await api.get(`/api/v1/runs/${runId}`)).json()).run.status, { timeout: 60_000, message: "the backup run should succeed" }).toBe("success");
}

/** Every file under `dir` (relative paths, sorted) with its bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(dir, r)));
    }
  };
  walk("");
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

test("restore the old version of a folder to a new directory through the form; no overwrite without asking; viewers cannot restore", async ({ browser }) => {
  test.setTimeout(240_000);
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const agentId = await localAgentId(admin.request);

  // A folder backed up, changed (one file edited, one added, one deleted), backed up again.
  const src = mkdtempSync(path.join(os.tmpdir(), "strata-e2e-restore-src-"));
  const out = mkdtempSync(path.join(os.tmpdir(), "strata-e2e-restore-out-"));
  mkdirSync(path.join(src, "docs/sub"), { recursive: true });
  writeFileSync(path.join(src, "docs/a.txt"), "old text\n");
  writeFileSync(path.join(src, "docs/sub/b.bin"), randomBytes(70_000));
  writeFileSync(path.join(src, "docs/sub/empty"), "");
  writeFileSync(path.join(src, "outside.txt"), "not in docs\n");
  const old = filesOf(path.join(src, "docs"));
  const hostName = `restore-${Date.now()}`;
  const hostRes = await admin.request.post("/api/v1/hosts", { data: { name: hostName, address: "local", transport: "local", agentId } });
  expect(hostRes.status(), await hostRes.text()).toBe(201);
  const hostId = (await hostRes.json()).host.id as string;
  const jobRes = await admin.request.post(`/api/v1/hosts/${hostId}/jobs`, { data: { name: "files", method: "mirror", sources: [src], schedule: { kind: "daily", at: "03:00" }, options: {} } });
  expect(jobRes.status(), await jobRes.text()).toBe(201);
  const jobId = (await jobRes.json()).job.id as string;
  await runToSuccess(admin.request, jobId);
  await new Promise((r) => setTimeout(r, 1100)); // sessions are whole seconds apart
  writeFileSync(path.join(src, "docs/a.txt"), "new text, longer than before\n");
  writeFileSync(path.join(src, "docs/added.txt"), "added later\n");
  rmSync(path.join(src, "docs/sub/b.bin"));
  await runToSuccess(admin.request, jobId);

  const repos = (await (await admin.request.get("/api/v1/repositories")).json()).repositories as { id: string; name: string }[];
  const repoId = repos.find((r) => r.name === `${hostName}/files`)!.id;
  let increments: { time: string }[] = [];
  await expect
    .poll(async () => (increments = (await (await admin.request.get(`/api/v1/repositories/${repoId}/increments`)).json()).increments).length, { timeout: 30_000 })
    .toBe(2);
  const oldAt = new Date(increments[0].time).toISOString().replace(/\.\d{3}Z$/, "Z");

  // From the folder at the old increment, the form opens with the original path and that increment chosen.
  await admin.goto(`/repositories/${repoId}/browse/docs?at=${oldAt}`);
  await admin.getByTestId("restore-link").click();
  await admin.waitForURL(new RegExp(`/repositories/${repoId}/restore\\?`));
  const form = admin.getByTestId("restore-form");
  await expect(form.getByLabel("Path in the repository")).toHaveValue("docs");
  await expect(form.getByLabel("Target path")).toHaveValue(path.join(src, "docs"));
  await expect(form.getByLabel("As of the increment of")).toHaveValue(oldAt);
  await expect(form.getByLabel("Restore to host")).toHaveValue(hostId);
  await form.getByTestId("overwrite").check();
  await expect(form.getByTestId("overwrite-warning")).toContainText("cannot be recovered");
  await form.getByTestId("overwrite").uncheck();
  // A bad target is answered on the form, and nothing starts.
  await form.getByLabel("Target path").fill("relative/dir");
  await form.getByRole("button", { name: "Start restore" }).click();
  await expect(form.getByTestId("error-target")).toHaveText("Enter an absolute path (starting with /)");
  const target = path.join(out, "docs-as-before");
  await form.getByLabel("Target path").fill(target);
  await form.getByRole("button", { name: "Start restore" }).click();
  await admin.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = admin.url().split("/").pop()!;
  await expect(admin.getByTestId("live-status")).toContainText("success", { timeout: 60_000 });
  await expect(admin.getByTestId("run-log")).toContainText(`to "${target}" on "${hostName}"`);
  await expect(admin.getByTestId("run-facts")).toContainText("restore");
  const restored = filesOf(target);
  expect([...restored.keys()]).toEqual([...old.keys()]);
  for (const [name, bytes] of old) expect(restored.get(name)!.equals(bytes), `${name} should be restored byte for byte`).toBe(true);
  expect(existsSync(path.join(target, "added.txt"))).toBe(false);
  const run = (await (await admin.request.get(`/api/v1/runs/${runId}`)).json()).run;
  expect(run).toMatchObject({ type: "restore", trigger: "manual", status: "success", repositoryId: repoId });

  // Again to the same, now non-empty target without overwrite: nothing is replaced, the agent names each refusal.
  writeFileSync(path.join(target, "a.txt"), "edited after the restore\n");
  await admin.goto(`/repositories/${repoId}/restore?path=docs&at=${oldAt}`);
  await admin.getByTestId("restore-form").getByLabel("Target path").fill(target);
  await admin.getByTestId("restore-form").getByRole("button", { name: "Start restore" }).click();
  await admin.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(runId));
  await expect(admin.getByTestId("live-status")).toContainText("partial", { timeout: 60_000 });
  await expect(admin.getByTestId("run-log")).toContainText("already exists; the restore does not overwrite existing files unless asked to");
  await expect(admin.getByTestId("run-reason")).toContainText("could not be restored");
  expect(readFileSync(path.join(target, "a.txt"), "utf8")).toBe("edited after the restore\n");

  // The API: the same rules, 202 with the run; bad values as field errors.
  const api = await admin.request.post(`/api/v1/repositories/${repoId}/restore`, { data: { path: "docs/a.txt", at: oldAt, target: path.join(out, "single.txt") } });
  expect(api.status(), await api.text()).toBe(202);
  const queued = await api.json();
  expect(queued).toMatchObject({ url: `/runs/${queued.runId}`, path: "docs/a.txt", target: path.join(out, "single.txt"), overwrite: false, host: { id: hostId } });
  await expect.poll(async () => (await (await admin.request.get(`/api/v1/runs/${queued.runId}`)).json()).run.status, { timeout: 60_000 }).toBe("success");
  expect(readFileSync(path.join(out, "single.txt"), "utf8")).toBe("old text\n");
  const bad = await admin.request.post(`/api/v1/repositories/${repoId}/restore`, { data: { path: "../etc", target: "x" } });
  expect(bad.status()).toBe(400);
  expect(Object.keys((await bad.json()).error.fieldErrors).sort()).toEqual(["path", "target"]);

  // A viewer of the host: no restore link, the 403 page, 403 from the API.
  const viewer = await createUser(admin.request, "viewer");
  expect((await admin.request.put(`/api/v1/users/${viewer.id}/hosts`, { data: { hosts: [hostName] } })).status()).toBe(200);
  const v = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(v, viewer.email, viewer.password);
  await expect(v.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await v.goto(`/repositories/${repoId}/browse/docs`);
  await expect(v.getByTestId("entry-row").first()).toBeVisible();
  await expect(v.getByTestId("restore-link")).toHaveCount(0);
  await v.goto(`/repositories/${repoId}/file/docs/a.txt`);
  await expect(v.getByTestId("compare-previous")).toBeVisible();
  await expect(v.getByTestId("restore-link")).toHaveCount(0);
  expect((await v.request.get(`/repositories/${repoId}/restore?path=docs`)).status()).toBe(403);
  expect((await v.request.post(`/api/v1/repositories/${repoId}/restore`, { data: { path: "docs", target: path.join(out, "viewer") } })).status()).toBe(403);
  expect(existsSync(path.join(out, "viewer"))).toBe(false);
  // ...while the viewer still reads the restore run of the host's repository.
  await v.goto(`/runs/${runId}`);
  await expect(v.getByTestId("live-status")).toContainText("success");
  rmSync(src, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});
