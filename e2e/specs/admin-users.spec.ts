// The admin user-management flow, end to end in Chromium: create a viewer, viewer's view, disable, refusal.
import { test, expect } from "@playwright/test";
import { E2E_ADMIN } from "../harness/constants";
import { signInUi, uniqueEmail, uniqueIp } from "../harness/api";

test.use({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });

test("admin creates a viewer, the viewer sees an empty dashboard and no admin pages, then is disabled and refused", async ({ browser }) => {
  const ip = uniqueIp();
  const adminCtx = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": ip } });
  const admin = await adminCtx.newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  const email = uniqueEmail("viewer");
  await admin.goto("/admin/users/new");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Name").fill("Vera Viewer");
  await admin.getByLabel("Role").selectOption("viewer");
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByTestId("form-message")).toContainText(`User "${email}" created`);
  const password = (await admin.getByTestId("revealed-secret").textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(20);
  await admin.getByRole("link", { name: "Open the user" }).click();
  await expect(admin.getByRole("heading", { name: "Vera Viewer" })).toBeVisible();
  const userUrl = admin.url();
  await admin.getByRole("button", { name: "Sign out" }).click();
  await expect(admin).toHaveURL(/\/login/);

  const viewerCtx = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const viewer = await viewerCtx.newPage();
  await signInUi(viewer, email, password);
  await expect(viewer.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(viewer.getByTestId("empty-state")).toContainText("No hosts yet");
  await expect(viewer.getByRole("link", { name: "Users" })).toHaveCount(0);
  const forbidden = await viewer.goto("/admin/users");
  expect(forbidden?.status()).toBe(403);
  await expect(viewer.getByTestId("error-403")).toBeVisible();

  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await admin.goto(userUrl);
  await admin.getByRole("button", { name: "Disable user" }).click();
  await expect(admin.getByTestId("disable-form").getByTestId("form-message")).toContainText("User disabled");

  const refused = await viewer.goto("/");
  await expect(viewer).toHaveURL(/\/login/);
  expect(refused?.status()).toBe(200);
  await signInUi(viewer, email, password);
  await expect(viewer.getByTestId("login-error")).toHaveText("This account is disabled: ask an administrator");

  await admin.goto("/admin/audit");
  await expect(admin.getByTestId("audit-row").filter({ hasText: "user.disable" }).filter({ hasText: email })).toHaveCount(1);
  await expect(admin.getByTestId("audit-row").filter({ hasText: "user.create" }).filter({ hasText: email })).toHaveCount(1);
});
