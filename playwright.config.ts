// Playwright: the console started as `npm start` would (fresh data dir and database), driven in Debian's Chromium.
import { defineConfig } from "@playwright/test";
import { E2E_PORT, E2E_ADMIN } from "./e2e/harness/constants";

const baseURL = `http://127.0.0.1:${E2E_PORT}`;

export default defineConfig({
  testDir: "e2e/specs",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: "npx tsx e2e/harness/serve.ts",
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { STRATA_ADMIN_EMAIL: E2E_ADMIN.email, STRATA_ADMIN_PASSWORD: E2E_ADMIN.password, PORT: String(E2E_PORT), HOST: "127.0.0.1" },
  },
});
