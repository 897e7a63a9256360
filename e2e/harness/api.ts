// Seeding and sign-in helpers for specs: everything goes through the real HTTP API, never through the UI.
import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./constants";

export type Role = "admin" | "operator" | "viewer";

/** A unique email for one test. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${randomBytes(3).toString("hex")}@e2e.test`;
}

/** A distinct client address per test so per-IP rate limits of one test never affect another. */
export function uniqueIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** Signs `request` in with next-auth's credentials flow (csrf, then callback). */
export async function signInApi(request: APIRequestContext, email: string, password: string): Promise<void> {
  const csrf = await (await request.get("/api/auth/csrf")).json();
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken: csrf.csrfToken, email, password, callbackUrl: "/", json: "true" },
    maxRedirects: 0,
  });
  expect([200, 302]).toContain(res.status());
  const me = await request.get("/api/v1/me");
  expect(me.status(), `sign-in of ${email} should give a session`).toBe(200);
}

/** Creates a user through POST /api/v1/users as the e2e admin; returns its id and password. */
export async function createUser(request: APIRequestContext, role: Role, password = "Test-passw0rd-123") {
  await signInApi(request, E2E_ADMIN.email, E2E_ADMIN.password);
  const email = uniqueEmail(role);
  const res = await request.post("/api/v1/users", { data: { email, name: `Test ${role}`, role, password } });
  expect(res.status()).toBe(201);
  const body = await res.json();
  return { id: body.user.id as string, email, password };
}

/** Signs in through the login form, as a person would. */
export async function signInUi(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Creates a host through POST /api/v1/hosts (the request must be signed in as an admin); returns its id. */
export async function createHost(request: APIRequestContext, name: string, address = "192.0.2.30"): Promise<string> {
  const res = await request.post("/api/v1/hosts", { data: { name, address } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).host.id as string;
}

/** Replaces a user's hosts through PUT /api/v1/users/{id}/hosts (as an admin); returns the hosts' names. */
export async function assignHosts(request: APIRequestContext, userId: string, hosts: string[]): Promise<string[]> {
  const res = await request.put(`/api/v1/users/${userId}/hosts`, { data: { hosts } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()).hosts as { name: string }[]).map((h) => h.name);
}

/** The id of the console's own agent ("local"), once it has enrolled (the request must be signed in). */
export async function localAgentId(api: APIRequestContext): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        id = ((await (await api.get("/api/v1/agents")).json()).agents as { id: string; name: string }[]).find((a) => a.name === "local")?.id;
        return id;
      },
      { timeout: 60_000, message: "the local agent should enrol" },
    )
    .toBeTruthy();
  return id!;
}
