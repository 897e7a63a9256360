// Names that are not valid UTF-8 on the data plane: /v1/file and /v1/tree take the exact path bytes as
// `pathBase64` (base64url) and serve the right bytes from repositories written by the real rdiff-backup and by
// Strata's engine; bad pathBase64 values are refused with 400, archive repositories answer "unsupported".
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rdiffBackup, requireRdiffBackup } from "@/agent/engines/mirror/read/test-rdiff";
import { startDataPlane, type DataPlane } from "./index";
import { signedGet } from "./test-client";

const SECRET = "test-secret-raw-names-0123";
const T = [1_700_000_000, 1_700_086_400];
const bytes = (s: string) => Buffer.from(s, "latin1");
/** Latin-1 "café.txt" (byte 0xe9), a directory "d\xff", a file "\xff" inside it. */
const CAFE = bytes("caf\xe9.txt");
const DIR = bytes("d\xff");
const INNER = Buffer.concat([DIR, bytes("/inner\xff.bin")]);
const content = (session: number) => ({
  cafe: Buffer.from(session === 0 ? "first café\n" : "second café, longer\n"),
  inner: Buffer.concat([Buffer.from(`inner ${session} `), Buffer.from([0, 0xff, 0x80, 0x0a])]),
  plain: Buffer.from(`plain ${session}\n`),
});
const b64 = (b: Buffer) => b.toString("base64url");

let base: string;
let plane: DataPlane;
const get = (p: string, q: Record<string, string | number>) => signedGet(plane.url, SECRET, p, q);

/** Session `session`'s source; mtimes are the session's (same-size changes must not look unchanged). */
function writeSource(src: string, session: number): void {
  const p = (...parts: Buffer[]) => Buffer.concat([Buffer.from(src + "/"), ...parts]);
  const c = content(session);
  mkdirSync(p(DIR), { recursive: true });
  const mtime = T[session] - 10;
  for (const [f, data] of [[p(CAFE), c.cafe], [p(INNER), c.inner], [p(DIR, Buffer.from("/plain.txt")), c.plain]] as const) {
    writeFileSync(f, data);
    utimesSync(f, mtime, mtime);
  }
}

beforeAll(async () => {
  requireRdiffBackup();
  base = mkdtempSync(path.join(os.tmpdir(), "strata-raw-plane-"));
  const root = path.join(base, "repos");
  mkdirSync(path.join(root, "archives"), { recursive: true });
  // The same two sessions, once by the real rdiff-backup and once by Strata's engine.
  const srcR = path.join(base, "src-rdiff");
  for (const [i, t] of T.entries()) {
    writeSource(srcR, i);
    const r = rdiffBackup(["--current-time", String(t), "backup", srcR, path.join(root, "rdiff")]);
    if (r.status !== 0) throw new Error(`rdiff-backup failed: ${r.stderr}`);
  }
  const { backupSession } = await import("@/agent/engines/mirror/index");
  const { openLocalSource } = await import("@/agent/sources/local");
  const srcS = path.join(base, "src-strata");
  for (const [i, t] of T.entries()) {
    writeSource(srcS, i);
    const r = await backupSession({ source: await openLocalSource(srcS), repo: path.join(root, "strata"), selection: [], currentTime: t, force: false, callbacks: { onLog: () => {}, onItemError: () => {} } });
    if (r.status !== "success") throw new Error(`Strata backup failed: ${r.status}`);
  }
  plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [root], secret: () => SECRET });
}, 120_000);

afterAll(async () => {
  await plane?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe.each(["rdiff", "strata"])("raw names in a mirror written by %s", (repo) => {
  it("/v1/file serves the exact bytes of a raw-named file at each session (path is only the lossy rendering)", async () => {
    for (const [i, at] of T.entries()) {
      for (const [raw, want] of [[CAFE, content(i).cafe], [INNER, content(i).inner]] as const) {
        const res = await get("/v1/file", { repo, format: "mirror", path: raw.toString("utf8"), pathBase64: b64(raw), at });
        expect(res.status, `${raw.toString("latin1")} at ${i}`).toBe(200);
        expect(res.headers.get("x-strata-size")).toBe(String(want.length));
        expect(Buffer.from(await res.arrayBuffer()).equals(want)).toBe(true);
      }
    }
    // A byte range of a raw-named file.
    const ranged = await get("/v1/file", { repo, format: "mirror", path: "x", pathBase64: b64(INNER), at: T[1], offset: 6, length: 4 });
    expect(Buffer.from(await ranged.arrayBuffer()).equals(content(1).inner.subarray(6, 10))).toBe(true);
    // The lossy rendering alone names no file.
    const lossy = await get("/v1/file", { repo, format: "mirror", path: CAFE.toString("utf8"), at: T[1] });
    expect(lossy.status).toBe(404);
    // Messages show the raw name escaped.
    const dir = await get("/v1/file", { repo, format: "mirror", path: "d", pathBase64: b64(DIR), at: T[1] });
    expect(dir.status).toBe(400);
    expect((await dir.json()).error.message).toBe('"d\\xff" is a directory');
    const missing = await get("/v1/file", { repo, format: "mirror", path: "x", pathBase64: b64(bytes("nope\xfe")), at: T[1] });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.message).toContain('"nope\\xfe" does not exist');
  });

  it("/v1/tree streams a raw-named folder as it was, with the right bytes", async () => {
    for (const [i, at] of T.entries()) {
      const res = await get("/v1/tree", { repo, format: "mirror", path: DIR.toString("utf8"), pathBase64: b64(DIR), at, prefix: "out" });
      expect(res.status).toBe(200);
      const dest = mkdtempSync(path.join(base, "untar-"));
      const tarFile = path.join(dest, "t.tar");
      writeFileSync(tarFile, Buffer.from(await res.arrayBuffer()));
      execFileSync("tar", ["-xf", tarFile, "-C", dest]);
      expect(readFileSync(path.join(dest, "out/plain.txt")).equals(content(i).plain)).toBe(true);
      // GNU tar writes the member's name as it came; the raw name inside is the data plane's lossy rendering.
      const names = execFileSync("tar", ["-tf", tarFile]).toString("utf8").trim().split("\n").map((n) => n.replace(/\/$/, "")).sort();
      expect(names).toEqual(["out", `out/inner${bytes("\xff").toString("utf8")}.bin`, "out/plain.txt"]);
    }
    // The root by empty exact bytes.
    const top = await get("/v1/tree", { repo, format: "mirror", path: "", pathBase64: "", at: T[1] });
    expect(top.status).toBe(200);
    await top.arrayBuffer();
  });
});

describe("pathBase64 checks", () => {
  it("refuses NUL bytes, absolute paths, empty, '.' and '..' segments and malformed base64url with 400", async () => {
    const bad: [Buffer, string][] = [
      [bytes("a\0b\xff"), "NUL"],
      [bytes("/etc/passwd"), "absolute"],
      [bytes("../x\xff"), '".."'],
      [bytes("d\xff/../../x"), '".."'],
      [bytes("d\xff/./x"), '"."'],
      [bytes("d\xff//x"), "empty segment"],
      [bytes("d\xff/"), "empty segment"],
    ];
    for (const route of ["/v1/file", "/v1/tree"]) {
      for (const [raw, why] of bad) {
        const res = await get(route, { repo: "rdiff", format: "mirror", path: "x", pathBase64: b64(raw), at: T[1] });
        expect(res.status, `${route} ${raw.toString("latin1")}`).toBe(400);
        const body = await res.json();
        expect(body.error.code).toBe("invalid");
        expect(body.error.message).toContain(why);
        expect(body.error.message).not.toContain("\0");
      }
      // "+" and "/" are base64, not base64url; "=" padding is not sent; "QR" decodes with stray bits (not canonical).
      for (const v of ["ab+c", "ab/c", "QQ==", "QR", "a".repeat(8193)]) {
        const res = await get(route, { repo: "rdiff", format: "mirror", path: "x", pathBase64: v, at: T[1] });
        expect(res.status, `${route} pathBase64=${v.slice(0, 20)}`).toBe(400);
        expect((await res.json()).error.message).toMatch(/pathBase64/);
      }
    }
    const abs = await get("/v1/file", { repo: "rdiff", format: "mirror", path: "x", pathBase64: b64(bytes("/x\xff")), at: T[1] });
    expect((await abs.json()).error.message).toBe('Path "/x\\xff" is refused: it is absolute (paths are relative to the repository root)');
  });

  it("archive repositories answer 400 unsupported for a raw name", async () => {
    for (const route of ["/v1/file", "/v1/tree"]) {
      const res = await get(route, { repo: "archives", format: "archive", path: "x", pathBase64: b64(CAFE), at: T[1] });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("unsupported");
      expect(body.error.message).toContain('"caf\\xe9.txt" is not valid UTF-8');
    }
  });
});
