// Browse and restore in the browser: a real mirror repository written by `strata-agent backup` in three
// sessions, registered through the API and imported by the local agent, then browsed back in time, a
// deleted file found, two versions compared, and an old version downloaded and checked byte for byte.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { assignHosts, createHost, createUser, signInApi, signInUi } from "../harness/api";
import { E2E_ADMIN } from "../harness/constants";

const root = path.resolve(import.meta.dirname, "../..");
const DAY = 86_400;
const T0 = 1_700_000_000;
const NOTES = ["first line\nkept line\n", "second version\nkept line\nadded line\n", "third version\nkept line\nadded line\n"];

/** The running e2e server's data directory (the newest one the harness made): its local agent serves repositories/ under it. */
function serverDataDir(): string {
  const dir = path.join(root, "test-results");
  const candidates = readdirSync(dir).filter((d) => d.startsWith("e2e-data-")).map((d) => path.join(dir, d));
  if (!candidates.length) throw new Error("No e2e data directory under test-results: is the e2e server running?");
  return candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** Three backup sessions, one day apart: notes.txt changes each time, gone.txt is deleted in the second, new.txt appears in the third. */
function makeMirror(repo: string) {
  const src = mkdtempSync(path.join(tmpdir(), "strata-e2e-src-"));
  const backup = (i: number) =>
    execFileSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "agent/main.ts"), "backup", "--current-time", String(T0 + i * DAY), src, repo], { cwd: root, stdio: "pipe" });
  try {
    mkdirSync(path.join(src, "docs"));
    writeFileSync(path.join(src, "docs/readme.md"), "# Readme\n");
    writeFileSync(path.join(src, "docs/naïve name & #1.txt"), "odd name\n");
    writeFileSync(path.join(src, "docs/blob.bin"), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    writeFileSync(path.join(src, "notes.txt"), NOTES[0]);
    writeFileSync(path.join(src, "gone.txt"), "soon deleted\n");
    backup(0);
    writeFileSync(path.join(src, "notes.txt"), NOTES[1]);
    rmSync(path.join(src, "gone.txt"));
    backup(1);
    writeFileSync(path.join(src, "notes.txt"), NOTES[2]);
    writeFileSync(path.join(src, "new.txt"), "brand new\n");
    backup(2);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

async function registerAndImport(request: APIRequestContext, repoPath: string, host?: string): Promise<string> {
  await signInApi(request, E2E_ADMIN.email, E2E_ADMIN.password);
  const data = { agent: "local", path: repoPath, format: "mirror", name: path.basename(repoPath), ...(host ? { host } : {}) };
  let res = await request.post("/api/v1/repositories", { data });
  for (let i = 0; i < 30 && res.status() === 400 && /agent/i.test(await res.text()); i++) {
    await new Promise((r) => setTimeout(r, 1000)); // the local agent enrols a moment after the console starts
    res = await request.post("/api/v1/repositories", { data });
  }
  expect(res.status(), await res.text()).toBe(202);
  const { id } = await res.json();
  await expect
    .poll(async () => (await (await request.get(`/api/v1/repositories/${id}`)).json()).repository?.importState, { timeout: 60_000 })
    .toBe("complete");
  return id as string;
}

test("browse a repository back in time, find a deleted file, diff two versions and download an old one", async ({ page, request }) => {
  test.setTimeout(180_000);
  const name = `browse-${randomBytes(3).toString("hex")}`;
  const repoPath = path.join(serverDataDir(), "repositories", name);
  mkdirSync(path.dirname(repoPath), { recursive: true });
  makeMirror(repoPath);
  const id = await registerAndImport(request, repoPath);

  await signInUi(page, E2E_ADMIN.email, E2E_ADMIN.password);
  await page.getByRole("link", { name: "Repositories", exact: true }).click();
  await expect(page).toHaveURL(/\/repositories$/);
  await page.getByRole("link", { name }).click();
  await expect(page).toHaveURL(new RegExp(`/repositories/${id}/browse`));
  const rows = page.getByTestId("entry-row");
  await expect(page.getByTestId("timeline-increment")).toHaveCount(3);
  await expect(rows.filter({ hasText: "new.txt" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "gone.txt" })).toHaveCount(0);

  // Step back two increments on the timeline: new.txt is not there yet, gone.txt is.
  await page.getByTestId("step-older").click();
  await expect(page.getByTestId("resolved-increment")).toContainText("2023-11-15");
  await page.getByTestId("step-older").click();
  await expect(page.getByTestId("resolved-increment")).toContainText("2023-11-14");
  await expect(rows.filter({ hasText: "gone.txt" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "new.txt" })).toHaveCount(0);
  await expect(page.getByTestId("step-older")).toHaveCount(0);

  // The folder as it was then, as a zip built on the fly: exactly that time's entries.
  const [zip] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-zip").click()]);
  const listing = execFileSync("unzip", ["-Z1", (await zip.path())!], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
  const files = listing.filter((n) => !n.endsWith("/"));
  expect(new Set(files.map((n) => n.split("/")[0])).size, "one top-level folder").toBe(1);
  expect(files.map((n) => n.slice(n.indexOf("/") + 1))).toEqual(["docs/blob.bin", "docs/naïve name & #1.txt", "docs/readme.md", "gone.txt", "notes.txt"]);

  // Back to the latest with deleted entries shown: gone.txt carries its deletion date.
  await page.goto(`/repositories/${id}/browse?deleted=1`);
  const gone = page.locator('[data-testid="entry-row"][data-deleted="1"]', { hasText: "gone.txt" });
  await expect(gone).toContainText("deleted 2023-11-15");

  // A bad time spec is a message on the page, not an error page.
  await page.goto(`/repositories/${id}/browse?at=not-a-time`);
  await expect(page.getByTestId("time-error")).toContainText('"not-a-time"');

  // The file page: three versions, a preview, a diff of the first and the last, unified then side by side.
  await page.goto(`/repositories/${id}/browse`);
  await rows.filter({ hasText: "notes.txt" }).getByRole("link").click();
  const versions = page.getByTestId("version-row");
  await expect(versions).toHaveCount(3);
  await expect(page.getByTestId("text-preview")).toContainText("third version");
  await page.getByLabel("Compare from 2023-11-14T22:13:20Z").check();
  await page.getByLabel("Compare to 2023-11-16T22:13:20Z").check();
  await page.getByTestId("compare").click();
  const unified = page.getByTestId("diff-unified");
  await expect(unified).toContainText("first line");
  await expect(unified).toContainText("third version");
  await expect(unified).toContainText("added line");
  await page.getByTestId("diff-mode-split").click();
  await expect(page.getByTestId("diff-split")).toContainText("third version");

  // Download the oldest version and compare the bytes.
  const oldest = versions.filter({ hasText: "2023-11-14" });
  const [download] = await Promise.all([page.waitForEvent("download"), oldest.getByTestId("download-version").click()]);
  const saved = await download.path();
  expect(readFileSync(saved!, "utf8")).toBe(NOTES[0]);

  // A name with spaces, "&", "#" and non-ASCII letters survives the folder link and the file page.
  await page.goto(`/repositories/${id}/browse`);
  await rows.filter({ hasText: "docs" }).getByRole("link").click();
  await rows.filter({ hasText: "naïve name & #1.txt" }).getByRole("link").click();
  await expect(page.getByTestId("text-preview")).toContainText("odd name");

  // Binary files preview as a hex head.
  await page.goto(`/repositories/${id}/file/docs/blob.bin`);
  await expect(page.getByTestId("hex-preview")).toContainText("00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f");

  // Search over every version, in the repository and across repositories; results open that version.
  await page.goto(`/repositories/${id}/search?q=notes`);
  await expect(page.getByTestId("search-hit")).toHaveCount(3);
  await page.goto(`/repositories/search?q=gone.txt`);
  await page.getByTestId("search-hit").filter({ hasText: "gone.txt" }).getByRole("link").click();
  await expect(page.getByTestId("text-preview")).toContainText("soon deleted");

  // What changed since the first increment: the deleted-file finder.
  await page.goto(`/repositories/${id}/changes?from=2023-11-14T22:13:20Z`);
  await expect(page.getByTestId("changes-deleted")).toContainText("gone.txt");
  await expect(page.getByTestId("changes-new")).toContainText("new.txt");
  await expect(page.getByTestId("changes-changed")).toContainText("notes.txt");

  // Statistics: one chart per series, one bar group per increment.
  await page.goto(`/repositories/${id}/stats`);
  await expect(page.getByTestId("chart")).toHaveCount(3);

  // Another repository id gets the 404 page.
  const res = await page.goto(`/repositories/00000000-0000-4000-8000-000000000000/browse`);
  expect(res?.status()).toBe(404);
});

/** Five sessions one day apart: notes.txt holds "version i" in session i; docs/ keeps two files; extra-i.txt appears in session i. */
function makeFiveSessionMirror(repo: string) {
  const src = mkdtempSync(path.join(tmpdir(), "strata-e2e-src-"));
  try {
    mkdirSync(path.join(src, "docs"));
    writeFileSync(path.join(src, "docs/readme.md"), "# Readme\n");
    writeFileSync(path.join(src, "docs/data.bin"), randomBytes(3000));
    for (let i = 0; i < 5; i++) {
      writeFileSync(path.join(src, "notes.txt"), FIVE_NOTES[i]);
      writeFileSync(path.join(src, `extra-${i}.txt`), `extra ${i}\n`);
      execFileSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "agent/main.ts"), "backup", "--current-time", String(T0 + i * DAY), src, repo], { cwd: root, stdio: "pipe" });
    }
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

const FIVE_NOTES = Array.from({ length: 5 }, (_, i) => `version ${i}\nshared line\n${"more\n".repeat(i)}`);
const day = (i: number) => new Date((T0 + i * DAY) * 1000).toISOString().slice(0, 10);

test("a viewer browses an assigned host's repository back three increments, diffs, downloads a version and the folder; other hosts stay hidden", async ({ page, request }) => {
  test.setTimeout(240_000);
  const tag = randomBytes(3).toString("hex");
  const viewer = await createUser(request, "viewer");
  // createUser leaves `request` signed in as the admin.
  const [mine, other] = [`viewed-${tag}`, `hidden-${tag}`];
  await createHost(request, mine);
  await createHost(request, other, "192.0.2.31");
  const base = path.join(serverDataDir(), "repositories");
  mkdirSync(base, { recursive: true });
  makeFiveSessionMirror(path.join(base, mine));
  makeFiveSessionMirror(path.join(base, other));
  const id = await registerAndImport(request, path.join(base, mine), mine);
  const hiddenId = await registerAndImport(request, path.join(base, other), other);
  expect(await assignHosts(request, viewer.id, [mine])).toEqual([mine]);
  expect((await (await request.get(`/api/v1/users/${viewer.id}/hosts`)).json()).hosts.map((h: { name: string }) => h.name)).toEqual([mine]);
  const bad = await request.put(`/api/v1/users/${viewer.id}/hosts`, { data: { hosts: [mine, `nope-${tag}`] } });
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain(`nope-${tag}`);

  // The viewer signs in; their API (the page's cookies) shows the assigned host's repository only.
  await signInUi(page, viewer.email, viewer.password);
  await expect(page.getByRole("link", { name: "Repositories", exact: true })).toBeVisible();
  const api = page.request;
  expect((await (await api.get("/api/v1/me")).json()).email).toBe(viewer.email);
  const listed = (await (await api.get("/api/v1/repositories")).json()).repositories.map((r: { id: string }) => r.id);
  expect(listed).toContain(id);
  expect(listed).not.toContain(hiddenId);
  expect((await api.get(`/api/v1/repositories/${hiddenId}`)).status()).toBe(404);
  expect((await api.get(`/api/v1/repositories/${hiddenId}/tree`)).status()).toBe(404);
  expect((await api.get(`/api/v1/repositories/${hiddenId}/file?path=notes.txt`)).status()).toBe(404);
  expect((await api.put(`/api/v1/users/${viewer.id}/hosts`, { data: { hosts: [other] } })).status()).toBe(403);

  // The viewer's pages: open the repository from the list, step back three increments.
  await page.getByRole("link", { name: "Repositories", exact: true }).click();
  // Wait for the list itself: the dashboard left behind also links to the host by name.
  await expect(page).toHaveURL(/\/repositories$/);
  await expect(page.getByRole("heading", { level: 1, name: "Repositories", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: other })).toHaveCount(0);
  await page.getByRole("link", { name: mine }).click();
  await expect(page).toHaveURL(new RegExp(`/repositories/${id}/browse`));
  const rows = page.getByTestId("entry-row");
  await expect(page.getByTestId("timeline-increment")).toHaveCount(5);
  await expect(page.getByTestId("resolved-increment")).toContainText(day(4));
  for (const i of [3, 2, 1]) {
    await page.getByTestId("step-older").click();
    await expect(page.getByTestId("resolved-increment")).toContainText(day(i));
  }
  await expect(rows.filter({ hasText: "extra-1.txt" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "extra-2.txt" })).toHaveCount(0);

  // The folder as it was then, as a zip: `unzip -l` lists exactly that time's files.
  const [zip] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-zip").click()]);
  const listing = execFileSync("unzip", ["-l", (await zip.path())!], { encoding: "utf8" });
  const names = listing
    .split("\n")
    .map((l) => /^\s*\d+\s+\S+\s+\S+\s+(.+)$/.exec(l)?.[1])
    .filter((n): n is string => !!n && !n.endsWith("/"))
    .map((n) => n.slice(n.indexOf("/") + 1))
    .sort();
  expect(names).toEqual(["docs/data.bin", "docs/readme.md", "extra-0.txt", "extra-1.txt", "notes.txt"]);

  // The file's history from that view: five versions; diff the first two; download the one of that time.
  await rows.filter({ hasText: "notes.txt" }).getByRole("link").click();
  const versions = page.getByTestId("version-row");
  await expect(versions).toHaveCount(5);
  await expect(page.getByTestId("text-preview")).toContainText("version 1");
  const stamp = (i: number) => new Date((T0 + i * DAY) * 1000).toISOString().replace(".000Z", "Z");
  await page.getByLabel(`Compare from ${stamp(0)}`).check();
  await page.getByLabel(`Compare to ${stamp(1)}`).check();
  await page.getByTestId("compare").click();
  const unified = page.getByTestId("diff-unified");
  await expect(unified).toContainText("version 0");
  await expect(unified).toContainText("version 1");
  await expect(unified).toContainText("more");
  const [download] = await Promise.all([page.waitForEvent("download"), versions.filter({ hasText: day(1) }).getByTestId("download-version").click()]);
  expect(readFileSync((await download.path())!).equals(Buffer.from(FIVE_NOTES[1]))).toBe(true);

  // The other host's repository is not there for this viewer.
  expect((await page.goto(`/repositories/${hiddenId}/browse`))?.status()).toBe(404);
  expect((await page.goto(`/repositories/${hiddenId}/file/notes.txt`))?.status()).toBe(404);
});
