// Hosts: an admin adds a host (bad values get field errors), assigns it to a viewer, who then sees only it.
import { test, expect, request as pwRequest } from "@playwright/test";
import { E2E_ADMIN, E2E_PORT } from "../harness/constants";
import { createUser, signInUi, uniqueIp } from "../harness/api";

test("an admin adds a host with validated settings and a viewer sees it once assigned", async ({ browser }) => {
  const seeder = await pwRequest.newContext({ baseURL: `http://127.0.0.1:${E2E_PORT}`, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const viewer = await createUser(seeder, "viewer");
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  const name = `web-${Date.now()}`;
  await admin.goto("/hosts/new");
  await admin.getByLabel("Name").fill(name);
  await admin.getByLabel("Address").fill("not a host!");
  await admin.getByLabel("SSH port").fill("70000");
  await admin.getByRole("button", { name: "Create host" }).click();
  await expect(admin.getByTestId("error-address")).toHaveText("Not a valid host name or IP address");
  await expect(admin.getByTestId("error-sshPort")).toHaveText("Port must be 1-65535");
  await admin.goto("/hosts");
  await expect(admin.getByTestId("host-row").filter({ hasText: name })).toHaveCount(0);

  await admin.goto("/hosts/new");
  await admin.getByLabel("Name").fill(name);
  await admin.getByLabel("Address").fill("192.0.2.10");
  await admin.getByRole("button", { name: "Create host" }).click();
  await expect(admin.getByRole("heading", { name })).toBeVisible();
  const hostUrl = admin.url();

  await admin.goto(`/admin/users/${viewer.id}`);
  await admin.getByTestId("hosts-form").getByLabel(name).check();
  await admin.getByRole("button", { name: "Save host access" }).click();
  await expect(admin.getByTestId("hosts-form").getByTestId("form-message")).toContainText("Hosts assigned: 1");

  const v = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(v, viewer.email, viewer.password);
  await expect(v.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await v.goto("/hosts");
  await expect(v.getByTestId("host-row")).toHaveCount(1);
  await expect(v.getByTestId("host-row")).toContainText(name);
  await v.goto(hostUrl);
  await expect(v.getByRole("heading", { name })).toBeVisible();
  await expect(v.getByTestId("host-form")).toHaveCount(0);
  expect((await v.goto("/hosts/new"))?.status()).toBe(403);
});
