// End to end over real SSH: a real OpenSSH sshd on 127.0.0.1 serves a tree (subdirectory, symlink, a 0600 file,
// an empty file); an admin adds the host through the form, authorizes the agent's key, tests the connection (host
// key pinned), creates a mirror job through the job form and runs it now from the job page; the run is followed
// live to success, appears in the job's runs, and its increment in the catalogue (browse page and JSON API).
// After a change on the host a second run makes a second increment. Finally the REAL rdiff-backup restores the
// repository at the first increment and at "now", each compared with the tree it backed up: every entry's type,
// mode, mtime, bytes and symlink target. A host whose sshd is down fails its run with the reason, writing nothing.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect, type Page } from "@playwright/test";
import { startTestSshd, type TestSshd } from "../../agent/engines/archive/upload/test-sshd";
import { E2E_ADMIN } from "../harness/constants";
import { localAgentId, signInUi, uniqueIp } from "../harness/api";

let sshd: TestSshd;
let work: string;

test.beforeAll(async () => {
  sshd = await startTestSshd();
  work = mkdtempSync(path.join(os.tmpdir(), "strata-e2e-ssh-backup-"));
});

test.afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** One entry of a tree as the comparison sees it. */
type Entry = { type: "dir" | "file" | "symlink"; mode: number; mtime?: number; bytes?: Buffer; target?: string };

/** Every entry under `dir` by relative path: type, permission bits, whole-second mtime, bytes or link target. */
function treeOf(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      const st = lstatSync(full);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) out.set(r, { type: "symlink", mode: 0, target: readlinkSync(full) });
      else if (st.isDirectory()) {
        out.set(r, { type: "dir", mode });
        walk(r);
      } else if (st.isFile()) out.set(r, { type: "file", mode, mtime: Math.floor(st.mtimeMs / 1000), bytes: readFileSync(full) });
      else throw new Error(`Unexpected entry type at ${full}`);
    }
  };
  walk("");
  return out;
}

/** Asserts two trees are the same entry for entry (names, types, modes, mtimes, bytes, link targets). */
function expectSameTree(actual: Map<string, Entry>, expected: Map<string, Entry>, what: string) {
  expect([...actual.keys()], `${what}: the same entries`).toEqual([...expected.keys()]);
  for (const [rel, e] of expected) {
    const a = actual.get(rel)!;
    expect({ rel, type: a.type, mode: a.mode.toString(8), mtime: a.mtime, target: a.target }, `${what}: ${rel}`).toEqual({ rel, type: e.type, mode: e.mode.toString(8), mtime: e.mtime, target: e.target });
    if (e.bytes) expect(a.bytes!.equals(e.bytes), `${what}: ${rel} byte for byte`).toBe(true);
  }
}

/** An increment time as rdiff-backup's `--at` takes it (whole seconds, UTC). */
function atParam(time: string): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Clicks "Run now" on the job page and follows the opened run page until success; returns the run's id. */
async function runNowToSuccess(admin: Page, jobUrl: string): Promise<string> {
  await admin.goto(jobUrl);
  await admin.getByTestId("run-now-form").getByRole("button", { name: "Run now" }).click();
  await admin.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = admin.url().split("/").pop()!;
  await expect(admin.getByTestId("live-status")).toContainText("success", { timeout: 90_000 });
  await expect(admin.getByTestId("live-state")).toHaveText("finished");
  return runId;
}

test("an SSH host added through the forms is backed up over SFTP by run now, shows in the catalogue and restores byte-exact with rdiff-backup", async ({ browser }) => {
  test.setTimeout(300_000);
  // The tree on the "host": a subdirectory, a symlink, a 0600 file, an empty file, some binary data.
  const src = path.join(work, "site");
  mkdirSync(path.join(src, "www/img"), { recursive: true });
  writeFileSync(path.join(src, "www/index.html"), "<h1>first version</h1>\n");
  writeFileSync(path.join(src, "www/img/logo.bin"), randomBytes(300_000));
  writeFileSync(path.join(src, "secret.key"), "private bytes\n");
  chmodSync(path.join(src, "secret.key"), 0o600);
  writeFileSync(path.join(src, "empty"), "");
  symlinkSync("www/index.html", path.join(src, "current"));
  chmodSync(path.join(src, "www/img"), 0o750);
  const v1 = path.join(work, "v1");
  cpSync(src, v1, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  const first = treeOf(src);
  expectSameTree(treeOf(v1), first, "the kept copy of the first version");

  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await localAgentId(admin.request);

  // The host, through the form: SSH transport, 127.0.0.1, the sshd's port and user, the local agent.
  const hostName = `sftp-${Date.now()}`;
  await admin.goto("/hosts/new");
  await admin.getByLabel("Name").fill(hostName);
  await admin.getByLabel("How the agent reaches it").selectOption("ssh");
  await admin.getByLabel("Address").fill("127.0.0.1");
  await admin.getByLabel("SSH port").fill(String(sshd.port));
  await admin.getByLabel("SSH user").fill(sshd.user);
  await admin.getByLabel("Agent", { exact: true }).selectOption({ label: "local" });
  await admin.getByRole("button", { name: "Create host" }).click();
  await expect(admin.getByRole("heading", { name: hostName })).toBeVisible();
  const hostUrl = new URL(admin.url()).pathname;
  const hostId = hostUrl.split("/").pop()!;
  await expect(admin.getByTestId("pinned-fingerprint")).toContainText("Pinned on the first successful connection");

  // The agent's key, authorized on the host exactly as the page says.
  const line = admin.getByTestId("authorized-keys-line");
  await expect(line).toContainText(/^restrict ssh-ed25519 AAAA/);
  appendFileSync(path.join(sshd.dir, "authorized_keys"), `${(await line.textContent())!.trim()}\n`);

  // The job form: test connection (every step ok, the host key's fingerprint shown), then the mirror job.
  await admin.getByRole("link", { name: "New job" }).click();
  await expect(admin.getByRole("heading", { name: "New job" })).toBeVisible();
  await admin.getByLabel("Name", { exact: true }).fill("site");
  await expect(admin.getByLabel("Method")).toHaveValue("mirror");
  await admin.getByLabel("Source paths (one per line, absolute)").fill(src);
  await admin.getByRole("button", { name: "Test connection" }).click();
  const steps = admin.getByTestId("test-connection");
  await expect(steps.getByTestId("test-connection-result")).toHaveText("Connection works", { timeout: 30_000 });
  for (const s of ["connect", "host-key", "authenticate", "list"]) await expect(steps.getByTestId(`test-step-${s}`)).toHaveAttribute("data-ok", "true");
  await expect(steps.getByTestId("test-step-host-key")).toContainText(sshd.hostKeyFingerprint);
  await expect(steps.getByTestId("test-connection-entries")).toHaveText(/current\s+empty\s+secret\.key\s+www\//);
  await admin.getByRole("button", { name: "Create job" }).click();
  await expect(admin.getByRole("heading", { name: hostName })).toBeVisible();
  await expect(admin.getByTestId("pinned-fingerprint")).toHaveText(sshd.hostKeyFingerprint);
  await expect(admin.getByTestId("job-row")).toHaveCount(1);
  await expect(admin.getByTestId("job-row")).toContainText("site");
  await admin.getByRole("link", { name: "site", exact: true }).click();
  await admin.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
  const jobUrl = new URL(admin.url()).pathname;
  const jobId = jobUrl.split("/").pop()!;
  await expect(admin.getByText("No runs yet.")).toBeVisible();

  // Run now: the run page follows it live to success, with its log.
  const run1 = await runNowToSuccess(admin, jobUrl);
  await expect(admin.getByTestId("run-log")).toContainText(`Run ${run1} of job "site" (mirror) on host "${hostName}", trigger manual`);
  await expect(admin.getByTestId("run-log")).toContainText(/Session \S+: \d+ files \(\d+ bytes\) in the source, \d+ new, 0 changed, 0 deleted, increment \d+ bytes, 0 errors/);
  await expect(admin.getByTestId("run-facts")).toContainText("manual");
  const run = (await (await admin.request.get(`/api/v1/runs/${run1}`)).json()).run;
  expect(run).toMatchObject({ status: "success", trigger: "manual", final: true, job: { id: jobId, name: "site" } });
  expect(run.incrementTime).not.toBeNull();

  // The job's runs list has it.
  await admin.goto(`${jobUrl}/runs`);
  await expect(admin.getByTestId("run-row")).toHaveCount(1);
  await expect(admin.getByTestId("run-row")).toContainText("success");

  // The catalogue: the repository, one increment in the JSON API, its files on the browse page.
  const repos = (await (await admin.request.get("/api/v1/repositories")).json()).repositories as { id: string; name: string }[];
  const repoId = repos.find((r) => r.name === `${hostName}/site`)?.id;
  expect(repoId, `a repository "${hostName}/site" should be listed`).toBeTruthy();
  type Increment = { time: string };
  const increments = async () => (await (await admin.request.get(`/api/v1/repositories/${repoId}/increments`)).json()).increments as Increment[];
  await expect.poll(async () => (await increments()).length, { timeout: 30_000, message: "the first increment should be catalogued" }).toBe(1);
  const [inc1] = await increments();
  expect(new Date(inc1.time).getTime()).toBe(new Date(run.incrementTime).getTime());
  await admin.goto(`/repositories/${repoId}/browse`);
  const rows = admin.getByTestId("entry-row");
  await expect(admin.getByTestId("timeline-increment")).toHaveCount(1);
  expect((await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-name")))).sort()).toEqual(["current", "empty", "secret.key", "www"]);
  await expect(rows.filter({ hasText: "current" })).toContainText("→ www/index.html");
  await admin.goto(`/repositories/${repoId}/browse/www/img`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-name", "logo.bin");

  // A change on the host (one file edited, one added, one deleted, a mode changed), then a second run.
  writeFileSync(path.join(src, "www/index.html"), "<h1>second version, a little longer</h1>\n");
  writeFileSync(path.join(src, "www/new.txt"), "added on the host\n");
  unlinkSync(path.join(src, "empty"));
  chmodSync(path.join(src, "secret.key"), 0o640);
  const second = treeOf(src);
  const run2 = await runNowToSuccess(admin, jobUrl);
  expect(run2).not.toBe(run1);
  await expect(admin.getByTestId("run-log")).toContainText(/Session \S+: .*, 1 new, \d+ changed, 1 deleted, .*, 0 errors/);
  await admin.goto(`${jobUrl}/runs`);
  await expect(admin.getByTestId("run-row")).toHaveCount(2);
  await expect.poll(async () => (await increments()).length, { timeout: 30_000, message: "the second increment should be catalogued" }).toBe(2);
  await admin.goto(`/repositories/${repoId}/browse/www`);
  await expect(admin.getByTestId("timeline-increment")).toHaveCount(2);
  await expect(rows.filter({ hasText: "new.txt" })).toHaveCount(1);

  // The real rdiff-backup reads the repository the agent wrote: the first increment and the latest, byte-exact.
  const repoPath = (await (await admin.request.get(`/api/v1/repositories/${repoId}`)).json()).repository.path as string;
  expect(path.isAbsolute(repoPath), `repository path "${repoPath}" should be absolute`).toBe(true);
  const listed = execFileSync("rdiff-backup", ["list", "increments", repoPath], { encoding: "utf8" });
  expect(listed).toMatch(/Found 1 increments?:/);
  execFileSync("rdiff-backup", ["verify", repoPath], { stdio: "pipe" }); // the mirror's files match the SHA-1s in its metadata
  execFileSync("rdiff-backup", ["verify", "--at", atParam(inc1.time), repoPath], { stdio: "pipe" });
  const at1 = String(Math.floor(new Date(inc1.time).getTime() / 1000));
  const out1 = path.join(work, "restored-first");
  execFileSync("rdiff-backup", ["restore", "--at", at1, repoPath, out1], { stdio: "pipe" });
  expectSameTree(treeOf(out1), first, "restore at the first increment");
  expectSameTree(treeOf(out1), treeOf(v1), "restore at the first increment against the kept copy");
  const outNow = path.join(work, "restored-now");
  execFileSync("rdiff-backup", ["restore", "--at", "now", repoPath, outNow], { stdio: "pipe" });
  expectSameTree(treeOf(outNow), second, "restore at now");
  expect(readFileSync(path.join(outNow, "www/index.html"), "utf8")).toBe("<h1>second version, a little longer</h1>\n");
  expect(lstatSync(path.join(out1, "secret.key")).mode & 0o777).toBe(0o600);
  expect(readlinkSync(path.join(out1, "current"))).toBe("www/index.html");
  expect(lstatSync(path.join(out1, "empty")).size).toBe(0);

  // The host's page lists the host ok after its runs.
  await admin.goto("/hosts?status=ok");
  await expect(admin.getByTestId("host-row").filter({ hasText: hostName })).toHaveAttribute("data-status", "ok");
  expect(hostId).toMatch(/^[0-9a-f-]{36}$/);
});

test("run now on an SSH host whose sshd is down fails with the reason on the run page and writes no increment", async ({ browser }) => {
  test.setTimeout(180_000);
  const down = await startTestSshd();
  const port = down.port;
  await down.stop(); // the host is unreachable from now on: nothing listens on its port
  const admin = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } })).newPage();
  await signInUi(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const agentId = await localAgentId(admin.request);
  const hostName = `sftp-down-${Date.now()}`;
  const host = await admin.request.post("/api/v1/hosts", { data: { name: hostName, address: "127.0.0.1", transport: "ssh", sshPort: port, sshUser: sshd.user, agentId } });
  expect(host.status(), await host.text()).toBe(201);
  const hostId = (await host.json()).host.id as string;
  const job = await admin.request.post(`/api/v1/hosts/${hostId}/jobs`, { data: { name: "site", method: "mirror", sources: [work], schedule: { kind: "daily", at: "03:00" }, options: {} } });
  expect(job.status(), await job.text()).toBe(201);
  const jobId = (await job.json()).job.id as string;

  await admin.goto(`/hosts/${hostId}/jobs/${jobId}`);
  await admin.getByTestId("run-now-form").getByRole("button", { name: "Run now" }).click();
  await admin.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = admin.url().split("/").pop()!;
  await expect(admin.getByTestId("live-status")).toContainText("failed", { timeout: 90_000 });
  const run = (await (await admin.request.get(`/api/v1/runs/${runId}`)).json()).run;
  expect(run).toMatchObject({ status: "failed", final: true, incrementTime: null });
  const reason = `Cannot connect to "127.0.0.1:${port}": connection refused (is sshd running on that port?)`;
  expect(run.reason).toBe(reason);
  await expect(admin.getByTestId("run-reason")).toContainText(reason);
  await expect(admin.getByTestId("run-log")).toContainText(reason);
  const repos = (await (await admin.request.get("/api/v1/repositories")).json()).repositories as { id: string; name: string }[];
  const repo = repos.find((r) => r.name === `${hostName}/site`)!;
  expect(repo, "the job's repository is known from the run").toBeTruthy();
  expect((await (await admin.request.get(`/api/v1/repositories/${repo.id}/increments`)).json()).increments).toEqual([]);
  const repoPath = (await (await admin.request.get(`/api/v1/repositories/${repo.id}`)).json()).repository.path as string;
  expect(existsSync(path.join(repoPath, "rdiff-backup-data")), "nothing is written to the repository").toBe(false);
  await admin.goto("/");
  await expect(admin.getByTestId("host-row").filter({ hasText: hostName })).toHaveAttribute("data-status", "failing");
});
