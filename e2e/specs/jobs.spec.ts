// Job setup form: an admin adds a job to a host (bad values get field errors, nothing saved), then it is listed
// with its schedule; a viewer assigned to the host sees it but may not open its edit page or change it.
import { test, expect, request as pwRequest } from "@playwright/test";
import { E2E_ADMIN, E2E_PORT } from "../harness/constants";
import { createUser, signInApi, signInUi, uniqueIp } from "../harness/api";

test("an admin sets up a job with validated fields and an assigned viewer sees it read-only", async ({ browser }) => {
  const seeder = await pwRequest.newContext({ baseURL: `http://127.0.0.1:${E2E_PORT}`, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const viewer = await createUser(seeder, "viewer");
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  const hostName = `files-${Date.now()}`;
  const created = await admin.request.post("/api/v1/hosts", { data: { name: hostName, address: "192.0.2.20" } });
  expect(created.status()).toBe(201);
  const hostId = (await created.json()).host.id as string;
  await admin.goto(`/hosts/${hostId}`);
  await admin.getByRole("link", { name: "New job" }).click();
  await expect(admin.getByRole("heading", { name: "New job" })).toBeVisible();

  await admin.getByLabel("Name", { exact: true }).fill("etc-backup");
  await admin.getByLabel("Source paths (one per line, absolute)").fill("etc");
  await admin.getByLabel("Schedule", { exact: true }).selectOption("cron");
  await admin.getByLabel("Cron expression").fill("61 * * * *");
  await admin.getByLabel("Remove increments older than").fill("soon");
  await admin.getByLabel("Webhook URL").fill("ftp://example.org/hook");
  await admin.getByRole("button", { name: "Create job" }).click();
  await expect(admin.getByTestId("error-sources")).toContainText("Line 1: Use an absolute path");
  await expect(admin.getByTestId("error-schedule.expression")).toContainText('Invalid schedule "61 * * * *"');
  await expect(admin.getByTestId("error-retention.olderThan")).toContainText('Time string "soon"');
  await expect(admin.getByTestId("error-notify.webhook")).toHaveText("Enter an http(s) URL");
  await expect(admin.getByLabel("Cron expression")).toHaveValue("61 * * * *");

  await admin.getByLabel("Source paths (one per line, absolute)").fill("/etc");
  await admin.getByLabel("Include (one glob per line)").fill("/var/www");
  await admin.getByLabel("Schedule", { exact: true }).selectOption("weekly");
  await admin.getByLabel("On", { exact: true }).selectOption("1");
  await admin.getByLabel("At (HH:MM)").fill("03:15");
  await admin.getByLabel("Remove increments older than").fill("4W");
  await admin.getByLabel("Webhook URL").fill("https://example.org/hook");
  await admin.getByRole("button", { name: "Refresh next runs" }).click();
  await expect(admin.getByTestId("next-fire-times").locator("li")).toHaveCount(5);
  await expect(admin.getByTestId("next-fire-times").locator("li").first()).toContainText("03:15");
  await expect(admin.getByRole("button", { name: "Preview", exact: true })).toBeEnabled();
  await admin.getByRole("button", { name: "Create job" }).click();
  await expect(admin.getByTestId("error-includes")).toContainText('Cannot use selection pattern "/var/www"');
  expect((await (await admin.request.get(`/api/v1/hosts/${hostId}/jobs`)).json()).jobs).toHaveLength(0);

  await admin.getByLabel("Include (one glob per line)").fill("/etc/nginx");
  await admin.getByRole("button", { name: "Create job" }).click();
  await expect(admin.getByRole("heading", { name: hostName })).toBeVisible();
  await expect(admin.getByTestId("job-row")).toHaveCount(1);
  await expect(admin.getByTestId("job-row")).toContainText("etc-backup");
  await expect(admin.getByTestId("job-row")).toContainText("15 3 * * 1");
  await expect(admin.getByTestId("job-last-run")).toHaveText("never");
  const [job] = (await (await admin.request.get(`/api/v1/hosts/${hostId}/jobs`)).json()).jobs;
  expect(job).toMatchObject({ name: "etc-backup", method: "mirror", sources: ["/etc"], includes: ["/etc/nginx"], schedule: "15 3 * * 1", revision: 1, hasPassword: false });

  await admin.getByRole("link", { name: "etc-backup" }).click();
  await expect(admin.getByLabel("Schedule", { exact: true })).toHaveValue("weekly");
  await expect(admin.getByLabel("At (HH:MM)")).toHaveValue("03:15");
  await expect(admin.getByTestId("retention-dry-run")).toContainText("no increments yet");

  await admin.goto(`/admin/users/${viewer.id}`);
  await admin.getByTestId("hosts-form").getByLabel(hostName).check();
  await admin.getByRole("button", { name: "Save host access" }).click();
  await expect(admin.getByTestId("hosts-form").getByTestId("form-message")).toContainText("Hosts assigned: 1");

  const v = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(v, viewer.email, viewer.password);
  await expect(v.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await v.goto(`/hosts/${hostId}`);
  await expect(v.getByTestId("job-row")).toContainText("15 3 * * 1");
  await expect(v.getByRole("link", { name: "New job" })).toHaveCount(0);
  expect((await v.goto(`/hosts/${hostId}/jobs/${job.id}`))?.status()).toBe(403);
  expect((await v.goto(`/hosts/${hostId}/jobs/new`))?.status()).toBe(403);
  expect((await v.request.put(`/api/v1/jobs/${job.id}`, { data: { name: "x" } })).status()).toBe(403);
  expect((await v.request.get(`/api/v1/jobs/${job.id}`)).status()).toBe(200);
});

test("the jobs API validates with field errors, never returns the dump password and bumps the revision", async () => {
  const api = await pwRequest.newContext({ baseURL: `http://127.0.0.1:${E2E_PORT}`, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  await signInApi(api, E2E_ADMIN.email, E2E_ADMIN.password);
  const host = await api.post("/api/v1/hosts", { data: { name: `db-${Date.now()}`, address: "192.0.2.21" } });
  const hostId = (await host.json()).host.id as string;
  const job = { name: "shop", method: "mysql", schedule: { kind: "daily", at: "01:00" }, options: { user: "backup", databases: ["shop"] }, password: "dump-s3cret" };

  const bad = await api.post(`/api/v1/hosts/${hostId}/jobs`, { data: { ...job, method: "rsync" } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.fieldErrors.method[0]).toMatch(/^Unknown method/);
  const badPort = await api.post(`/api/v1/hosts/${hostId}/jobs`, { data: { ...job, options: { user: "u", port: 0 } } });
  expect((await badPort.json()).error.fieldErrors).toEqual({ "options.port": ["Port must be 1-65535"] });

  const created = await api.post(`/api/v1/hosts/${hostId}/jobs`, { data: job });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()).job;
  const got = await api.get(`/api/v1/jobs/${id}`);
  expect(await got.text()).not.toContain("s3cret");
  expect((await got.json()).job).toMatchObject({ schedule: "0 1 * * *", hasPassword: true, revision: 1 });
  const put = await api.put(`/api/v1/jobs/${id}`, { data: { ...job, password: "", schedule: { kind: "cron", expression: "*/30 * * * *" } } });
  expect((await put.json()).job.revision).toBe(2);
  expect((await (await api.get(`/api/v1/jobs/${id}`)).json()).job).toMatchObject({ schedule: "*/30 * * * *", hasPassword: true });
  expect((await api.delete(`/api/v1/jobs/${id}`)).status()).toBe(200);
  expect((await api.get(`/api/v1/jobs/${id}`)).status()).toBe(404);
  await api.dispose();
});
