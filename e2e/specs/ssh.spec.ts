// Hosts over SSH: an admin adds a host served by a real OpenSSH sshd, tests the connection before and after
// authorizing the agent's public key shown on the host page (the host key gets pinned), and previews what the
// include/exclude rules select on the host; a changed host key is refused until an admin accepts it; a host
// without an agent gets a clear error.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, mkdir, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, expect } from "@playwright/test";
import { startTestSshd, type TestSshd } from "../../agent/engines/archive/upload/test-sshd";
import { E2E_ADMIN } from "../harness/constants";
import { createHost, signInUi, uniqueIp } from "../harness/api";

let sshd: TestSshd;
let src: string;

test.beforeAll(async () => {
  sshd = await startTestSshd();
  src = await mkdtemp(path.join(os.tmpdir(), "strata-e2e-ssh-"));
  for (const f of ["www/index.html", "www/app.log", "www/img/logo.png", "etc/app.conf", "cache/tmp.bin"]) {
    await mkdir(path.dirname(path.join(src, f)), { recursive: true });
    await writeFile(path.join(src, f), `content of ${f}\n`);
  }
});

test.afterAll(async () => {
  await sshd?.stop();
  await rm(src, { recursive: true, force: true });
});

test("an admin adds an SSH host, authorizes the agent's key, tests the connection and previews the selection", async ({ browser }) => {
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  // The transport choice is validated: an SSH host needs a real address.
  const name = `ssh-${Date.now()}`;
  await admin.goto("/hosts/new");
  await admin.getByLabel("Name").fill(name);
  await admin.getByLabel("How the agent reaches it").selectOption("ssh");
  await admin.getByLabel("Address").fill("local");
  await admin.getByRole("button", { name: "Create host" }).click();
  await expect(admin.getByTestId("error-address")).toContainText("own machine");

  await admin.getByLabel("Address").fill("127.0.0.1");
  await admin.getByLabel("SSH port").fill(String(sshd.port));
  await admin.getByLabel("SSH user").fill(sshd.user);
  await admin.getByLabel("Agent", { exact: true }).selectOption({ label: "local" });
  await admin.getByRole("button", { name: "Create host" }).click();
  await expect(admin.getByRole("heading", { name })).toBeVisible();
  const hostUrl = admin.url();
  await expect(admin.getByTestId("pinned-fingerprint")).toContainText("Pinned on the first successful connection");

  // The agent reported its public key (enrolment / heartbeat); the page shows the authorized_keys line.
  const line = admin.getByTestId("authorized-keys-line");
  await expect(line).toContainText(/^restrict ssh-ed25519 AAAA/);
  const keyLine = (await line.textContent())!.trim();

  // Before the key is authorized: the connection and host key work, the login is refused with the fix named.
  await admin.getByRole("link", { name: "New job" }).click();
  await admin.getByLabel("Source paths (one per line, absolute)").fill(path.join(src, "www"));
  await admin.getByRole("button", { name: "Test connection" }).click();
  const steps = admin.getByTestId("test-connection");
  await expect(steps.getByTestId("test-connection-result")).toHaveText("Connection failed", { timeout: 30_000 });
  await expect(steps.getByTestId("test-step-connect")).toHaveAttribute("data-ok", "true");
  await expect(steps.getByTestId("test-step-host-key")).toHaveAttribute("data-ok", "true");
  await expect(steps.getByTestId("test-step-authenticate")).toHaveAttribute("data-ok", "false");
  await expect(steps.getByTestId("test-step-authenticate")).toContainText("authorized_keys");

  // Authorize the key as the page says, then every step passes and the first source path is listed.
  await appendFile(path.join(sshd.dir, "authorized_keys"), `${keyLine}\n`);
  expect(await readFile(path.join(sshd.dir, "authorized_keys"), "utf8")).toContain(keyLine);
  await admin.getByRole("button", { name: "Test connection" }).click();
  await expect(steps.getByTestId("test-connection-result")).toHaveText("Connection works", { timeout: 30_000 });
  for (const s of ["connect", "host-key", "authenticate", "list"]) await expect(steps.getByTestId(`test-step-${s}`)).toHaveAttribute("data-ok", "true");
  await expect(steps.getByTestId("test-step-host-key")).toContainText(sshd.hostKeyFingerprint);
  await expect(steps.getByTestId("test-connection-entries")).toHaveText(/app\.log\s+img\/\s+index\.html/);

  // The include/exclude preview walks the real host with the job's rules.
  await admin.getByLabel("Source paths (one per line, absolute)").fill(`${path.join(src, "www")}\n${path.join(src, "etc")}`);
  await admin.getByLabel("Exclude (one glob per line)").fill("**.log");
  await admin.getByRole("button", { name: "Preview", exact: true }).click();
  const preview = admin.getByTestId("selection-preview");
  await expect(preview.getByTestId("preview-entries")).toBeVisible({ timeout: 30_000 });
  const listed = (await preview.getByTestId("preview-entries").locator("li").allTextContents()).map((t) => t.replace(/\d[\d,]* B$/, "").replace(src, ""));
  expect(listed).toEqual(["/etc/", "/etc/app.conf", "/www/", "/www/img/", "/www/img/logo.png", "/www/index.html"]);
  await expect(preview.getByTestId("preview-summary")).toContainText("2 excluded");

  // A relative source path is refused before asking the agent.
  await admin.getByLabel("Source paths (one per line, absolute)").fill("www");
  await admin.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(preview.getByTestId("error-preview")).toContainText('Source path "www" must be absolute');

  // The successful test pinned the host key.
  await admin.goto(hostUrl);
  await expect(admin.getByTestId("pinned-fingerprint")).toHaveText(sshd.hostKeyFingerprint);

  // The host gets a new key (reinstalled): the test fails at the host key naming both fingerprints, the host
  // page warns with the new key, and an admin accepts it; then the connection works again.
  const newFp = await replaceHostKey(sshd);
  await admin.goto(`${hostUrl}/jobs/new`);
  await admin.getByLabel("Source paths (one per line, absolute)").fill(path.join(src, "www"));
  await admin.getByRole("button", { name: "Test connection" }).click();
  await expect(steps.getByTestId("test-connection-result")).toHaveText("Connection failed", { timeout: 30_000 });
  await expect(steps.getByTestId("test-step-host-key")).toHaveAttribute("data-ok", "false");
  await expect(steps.getByTestId("test-step-host-key")).toContainText(`pinned ${sshd.hostKeyFingerprint}, presented ${newFp}`);
  await expect(steps.getByTestId("test-step-authenticate")).toHaveCount(0);
  await admin.goto(hostUrl);
  await expect(admin.getByTestId("pending-host-key")).toContainText(newFp);
  await expect(admin.getByTestId("pinned-fingerprint")).toHaveText(sshd.hostKeyFingerprint);
  await admin.getByRole("button", { name: "Accept new key" }).click();
  await expect(admin.getByTestId("pinned-fingerprint")).toHaveText(newFp); // the page re-renders with the new key pinned
  await admin.reload();
  await expect(admin.getByTestId("pinned-fingerprint")).toHaveText(newFp);
  await expect(admin.getByTestId("pending-host-key")).toHaveCount(0);
  await admin.goto(`${hostUrl}/jobs/new`);
  await admin.getByLabel("Source paths (one per line, absolute)").fill(path.join(src, "www"));
  await admin.getByRole("button", { name: "Test connection" }).click();
  await expect(steps.getByTestId("test-connection-result")).toHaveText("Connection works", { timeout: 30_000 });
});

/** Gives the running test sshd a new host key (sshd re-reads its keys on SIGHUP); returns its fingerprint. */
async function replaceHostKey(d: TestSshd): Promise<string> {
  const key = path.join(d.dir, "host_ed25519");
  await rm(key, { force: true });
  await rm(`${key}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const fp = execFileSync("ssh-keygen", ["-lf", `${key}.pub`], { encoding: "utf8" }).split(" ")[1];
  process.kill(Number((await readFile(path.join(d.dir, "sshd.pid"), "utf8")).trim()), "SIGHUP");
  // Wait until the restarted sshd presents the new key.
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const out = spawnSync("ssh-keyscan", ["-p", String(d.port), "-t", "ed25519", "127.0.0.1"], { encoding: "utf8" });
    if (out.stdout.includes(readPub(`${key}.pub`))) return fp;
  }
  throw new Error("sshd did not take its new host key");
}

function readPub(file: string): string {
  return readFileSync(file, "utf8").split(" ")[1];
}

test("test connection and preview say clearly when the host has no agent", async ({ browser }) => {
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const hostId = await createHost(admin.request, `noagent-${Date.now()}`, "192.0.2.40");
  await admin.goto(`/hosts/${hostId}/jobs/new`);
  await admin.getByLabel("Source paths (one per line, absolute)").fill("/etc");
  await admin.getByRole("button", { name: "Test connection" }).click();
  await expect(admin.getByTestId("error-test-connection")).toContainText("has no agent");
  await admin.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(admin.getByTestId("error-preview")).toContainText("has no agent");
});
