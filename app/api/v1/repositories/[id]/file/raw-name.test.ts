// Names that are not valid UTF-8, the whole path on real PostgreSQL and a real agent data plane: a repository
// written by the real rdiff-backup, imported into the catalogue (escaped \xHH names, exact bytes kept), then
// the file route downloads a raw-named file byte for byte (the console asks the agent by pathBase64) and the
// archive route streams a raw-named folder as tar.gz and zip with every file's bytes.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@/lib/db/test-db";
import type { DataPlane } from "@/agent/server";
import { rdiffBackup, requireRdiffBackup } from "@/agent/engines/mirror/read/test-rdiff";

const T = [1_700_000_000, 1_700_086_400];
const bytes = (s: string) => Buffer.from(s, "latin1");
/** Latin-1 "café.txt" at the top, and "d\xff/inner\xfe.bin" with a plain file beside it. */
const CAFE = bytes("caf\xe9.txt");
const DIR = bytes("d\xff");
const INNER = bytes("d\xff/inner\xfe.bin");
const content = (s: number) => ({
  cafe: Buffer.concat([Buffer.from(`café ${s} `), randomBytes(3000 + s)]),
  inner: Buffer.concat([Buffer.from(`inner ${s} `), Buffer.from([0, 0xff, 0x0a])]),
  plain: Buffer.from(`plain ${s}\n`),
});
const contents = T.map((_, s) => content(s));

let tdb: TestDatabase;
let plane: DataPlane;
let base: string;
let repoId: string;
let token: string;
let fileGET: typeof import("./route").GET;
let archiveGET: typeof import("../archive/route").GET;

beforeAll(async () => {
  requireRdiffBackup();
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  base = mkdtempSync(path.join(os.tmpdir(), "strata-raw-download-"));
  const src = path.join(base, "src");
  const root = path.join(base, "repos");
  const repoPath = path.join(root, "web1");
  mkdirSync(root);
  for (const [s, t] of T.entries()) {
    const p = (b: Buffer) => Buffer.concat([Buffer.from(src + "/"), b]);
    mkdirSync(p(DIR), { recursive: true });
    for (const [f, data] of [[p(CAFE), contents[s].cafe], [p(INNER), contents[s].inner], [p(Buffer.concat([DIR, bytes("/plain.txt")])), contents[s].plain]] as const) {
      writeFileSync(f, data);
      utimesSync(f, t - 10, t - 10);
    }
    const r = rdiffBackup(["--current-time", String(t), "backup", src, repoPath]);
    if (r.status !== 0) throw new Error(`rdiff-backup failed: ${r.stderr}`);
  }
  const { startDataPlane } = await import("@/agent/server");
  const { hashToken } = await import("@/lib/auth/tokens");
  const { encryptSecret } = await import("@/lib/crypto/secrets");
  const secret = randomBytes(32).toString("base64url");
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [root], secret: () => secret });
  const p = tdb.prisma;
  const agent = await p.agent.create({ data: { name: "local", tokenHash: hashToken(randomBytes(8).toString("hex")), secretEnc: encryptSecret(secret), url: plane.url } });
  const host = await p.host.create({ data: { name: "web1", address: "local", agentId: agent.id } });
  const viewer = await p.user.create({ data: { email: "viewer@example.org", name: "viewer", role: "viewer", passwordHash: "x" } });
  await p.hostAssignment.create({ data: { userId: viewer.id, hostId: host.id } });
  token = `pat_${randomBytes(16).toString("hex")}`;
  await p.apiToken.create({ data: { userId: viewer.id, name: "test", tokenHash: hashToken(token), prefix: token.slice(0, 8) } });
  repoId = (await p.repository.create({ data: { name: "web1", format: "mirror", agentId: agent.id, path: repoPath, hostId: host.id } })).id;
  // The catalogue filled the way an import does: the agent's versions stream through the real ingest.
  const { streamVersions } = await import("@/lib/agent-client");
  const { changeSetSessions } = await import("@/lib/data/catalogue/stream");
  const { ingestChangeSet } = await import("@/lib/data/catalogue");
  const { db } = await import("@/lib/db");
  for await (const s of changeSetSessions(streamVersions({ url: plane.url, secretEnc: agent.secretEnc, name: agent.name }, { repoPath, format: "mirror" }))) {
    await ingestChangeSet(db(), { repositoryId: repoId, header: s.header, entries: s.entries });
  }
  ({ GET: fileGET } = await import("./route"));
  ({ GET: archiveGET } = await import("../archive/route"));
}, 120_000);

afterAll(async () => {
  await plane?.close();
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
  if (base) rmSync(base, { recursive: true, force: true });
});

function call(route: "file" | "archive", query: Record<string, string>, headers: Record<string, string> = {}) {
  const url = `http://console.test/api/v1/repositories/${repoId}/${route}?${new URLSearchParams(query)}`;
  const req = new Request(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return (route === "file" ? fileGET : archiveGET)(req, { params: Promise.resolve({ id: repoId }) });
}
const at = (s: number) => String(T[s]);

describe("downloading names that are not valid UTF-8", () => {
  it("downloads a raw-named file byte for byte at each increment, and a byte range of it", async () => {
    for (const s of T.keys()) {
      for (const [p, want] of [["caf\\xe9.txt", contents[s].cafe], ["d\\xff/inner\\xfe.bin", contents[s].inner]] as const) {
        const res = await call("file", { path: p, at: at(s) });
        expect(res.status, `${p} at ${s}: ${res.status === 200 ? "" : await res.clone().text()}`).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(want), `${p} at ${s}`).toBe(true);
        expect(res.headers.get("x-content-length")).toBe(String(want.length));
      }
    }
    const ranged = await call("file", { path: "caf\\xe9.txt", at: at(1) }, { range: "bytes=100-199" });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(contents[1].cafe.subarray(100, 200))).toBe(true);
  });

  it("downloads a raw-named folder as it was (tar.gz keeps the escaped folder name; zip carries every file's bytes)", async () => {
    const lossyInner = `inner${bytes("\xfe").toString("utf8")}.bin`;
    for (const s of T.keys()) {
      const res = await call("archive", { path: "d\\xff", at: at(s), format: "tar.gz" });
      expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
      const file = path.join(base, `d${s}.tar.gz`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const dest = mkdtempSync(path.join(base, "untar-"));
      execFileSync("tar", ["-xzf", file, "-C", dest]);
      expect(readFileSync(path.join(dest, "d\\xff", "plain.txt")).equals(contents[s].plain)).toBe(true);
      // The raw name inside the folder arrives under the data plane's lossy (UTF-8) rendering, with its bytes.
      expect(readFileSync(path.join(dest, "d\\xff", lossyInner)).equals(contents[s].inner)).toBe(true);

      const zres = await call("archive", { path: "d\\xff", at: at(s), format: "zip" });
      expect(zres.status).toBe(200);
      const zip = path.join(base, `d${s}.zip`);
      writeFileSync(zip, Buffer.from(await zres.arrayBuffer()));
      const members = execFileSync("unzip", ["-Z1", zip]).toString("utf8").trim().split("\n");
      // The folder keeps one level: its "\xff" becomes "_xff" (zip readers split names on "\").
      expect(members.every((m) => m.startsWith("d_xff/")), members.join(", ")).toBe(true);
      const member = (leaf: string) => members.find((m) => m === `d_xff/${leaf}`);
      expect(member("plain.txt"), members.join(", ")).toBeDefined();
      expect(member(lossyInner), members.join(", ")).toBeDefined();
      expect(execFileSync("unzip", ["-p", zip, member("plain.txt")!]).equals(contents[s].plain)).toBe(true);
      expect(execFileSync("unzip", ["-p", zip, member(lossyInner)!]).equals(contents[s].inner)).toBe(true);
    }
  });
});
