// Accounts: API tokens (shown once, Bearer, expiry, revoke), own password change, sign-in rate limiting.
import { test, expect, request as pwRequest } from "@playwright/test";
import { createUser, signInApi, signInUi, uniqueIp } from "../harness/api";
import { E2E_PORT } from "../harness/constants";

const baseURL = `http://127.0.0.1:${E2E_PORT}`;

test("a user makes an API token, uses it as Bearer, and a revoked token stops working at once", async ({ browser }) => {
  const seeder = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const u = await createUser(seeder, "operator");
  const ctx = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const page = await ctx.newPage();
  await signInUi(page, u.email, u.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.goto("/account/tokens");
  await page.getByLabel("Name").fill("ci-script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("revealed-secret").textContent())!.trim();
  expect(token).toMatch(/^strata_pat_/);

  const api = await pwRequest.newContext({ baseURL });
  const me = await api.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ email: u.email, role: "operator" });

  await page.reload();
  await expect(page.getByTestId("token-row")).toHaveCount(1);
  await expect(page.getByTestId("revealed-secret")).toHaveCount(0);
  await page.getByTestId("token-row").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("token-row").getByText("revoked")).toBeVisible();
  expect((await api.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);
});

test("a token with a past expiry date is refused with a message and nothing is written", async ({ browser }) => {
  const seeder = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const u = await createUser(seeder, "viewer");
  const page = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(page, u.email, u.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.goto("/account/tokens");
  await page.getByLabel("Name").fill("old");
  await page.getByLabel("Expires on (optional)").fill("2020-01-01");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("form-message")).toContainText("The expiry date is in the past");
  await page.reload();
  await expect(page.getByTestId("token-row")).toHaveCount(0);
});

test("a user changes their own password: the current one is required, then only the new one works", async ({ browser }) => {
  const seeder = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const u = await createUser(seeder, "viewer");
  const page = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(page, u.email, u.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.goto("/account");
  await page.getByLabel("Current password").fill("wrong-password-1");
  await page.getByLabel("New password", { exact: true }).fill("New-passw0rd-4567");
  await page.getByLabel("New password again").fill("New-passw0rd-4567");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("form-message")).toContainText("The current password is wrong");

  await page.getByLabel("Current password").fill(u.password);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("New password again").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("form-message")).toContainText("at least 12 characters");

  await page.getByLabel("Current password").fill(u.password);
  await page.getByLabel("New password", { exact: true }).fill("New-passw0rd-4567");
  await page.getByLabel("New password again").fill("New-passw0rd-4567");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("form-message")).toContainText("Password changed");

  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  await signInApi(api, u.email, "New-passw0rd-4567");
});

test("the 11th sign-in failure within 15 minutes is refused as too many attempts, even with the right password", async ({ browser }) => {
  const seeder = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const u = await createUser(seeder, "viewer");
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  for (let i = 0; i < 10; i++) {
    const csrf = await (await api.get("/api/auth/csrf")).json();
    await api.post("/api/auth/callback/credentials", { form: { csrfToken: csrf.csrfToken, email: u.email, password: `wrong-${i}`, callbackUrl: "/" }, maxRedirects: 0 });
  }
  const page = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(page, u.email, u.password);
  await expect(page.getByTestId("login-error")).toContainText("Too many attempts");
});
