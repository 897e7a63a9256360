// `strata-agent backup-manager import FILE [--json]` and `strata-agent backup-manager -c FILE --now TIME`.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNow } from "./backup-manager";

const ROOT = path.resolve(import.meta.dirname, "../../..");
let dir: string;

function agent(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "agent/main.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "strata-bm-cli-"));
  mkdirSync(path.join(dir, "data", "sub"), { recursive: true });
  writeFileSync(path.join(dir, "data", "a.txt"), "alpha\n");
  writeFileSync(path.join(dir, "ok.conf"), [
    `export BM_REPOSITORY_ROOT="${dir}/repo"`,
    `export BM_REPOSITORY_SECURE="false"`,
    `export BM_ARCHIVE_PREFIX="bmhost"`,
    `export BM_ARCHIVE_METHOD="tarball-incremental"`,
    `export BM_TARBALL_DIRECTORIES="${dir}/data"`,
    `export BM_TARBALLINC_MASTERDATEVALUE="1"`,
    `export BM_UPLOAD_METHOD="scp"`,
    `export BM_UPLOAD_HOSTS="backup.example.org"`,
    "",
  ].join("\n"));
  writeFileSync(path.join(dir, "bad.conf"), `export BM_ARCHIVE_METHOD="tarball"\nexport BM_TARBALL_DIRECTORIES="${dir}/data"\nexport BM_TARBALL_FILETYPE="dar"\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("strata-agent backup-manager", () => {
  it("import prints the job as JSON and the warnings on stderr; --json puts both in one object", () => {
    const plain = agent("backup-manager", "import", path.join(dir, "ok.conf"));
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.out)).toMatchObject({ name: "ok", prefix: "bmhost", methods: ["tarball-incremental"], incremental: { frequency: "weekly", value: 1 } });
    expect(plain.err).toMatch(/WARNING: BM_UPLOAD_METHOD=scp: not mapped: .*archive host-key backup.example.org/);
    const json = agent("backup-manager", "import", "--json", path.join(dir, "ok.conf"));
    const o = JSON.parse(json.out) as { jobs: unknown[]; warnings: string[]; errors: string[] };
    expect(o.jobs).toHaveLength(1);
    expect(o.warnings).toHaveLength(1);
    expect(o.errors).toEqual([]);
  });

  it("import of an unmappable file exits 2 naming the key; a missing file is a clear usage error", () => {
    const r = agent("backup-manager", "import", "--json", path.join(dir, "bad.conf"));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).errors.join()).toMatch(/BM_TARBALL_FILETYPE="dar"/);
    const missing = agent("backup-manager", "import", path.join(dir, "nope.conf"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Cannot read backup-manager configuration ".*nope.conf"/);
  });

  it("-c FILE --now runs the configuration: backup-manager's names for that day (Monday master, then an incremental)", () => {
    const mon = agent("backup-manager", "-c", path.join(dir, "ok.conf"), "--now", "2027-03-01");
    expect(mon.code, mon.err).toBe(0);
    const tue = agent("backup-manager", "-c", path.join(dir, "ok.conf"), "--now", "20270302");
    expect(tue.code, tue.err).toBe(0);
    const names = readdirSync(path.join(dir, "repo")).filter((n) => n.endsWith(".tar.gz"));
    const n = `bmhost${dir.replace(/\//g, "-")}-data`;
    expect(names.sort()).toEqual([`${n}.20270301.master.tar.gz`, `${n}.20270302.tar.gz`]);
    const bad = agent("backup-manager", "-c", path.join(dir, "bad.conf"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Cannot run .*bad.conf[\s\S]*dar/);
    expect(agent("backup-manager").code).toBe(2);
  });

  it("--now accepts YYYYMMDD, YYYY-MM-DD and ISO date-times, and refuses the rest", () => {
    expect(parseNow("20270301").getDate()).toBe(1);
    expect(parseNow("2027-03-02").getDate()).toBe(2);
    expect(parseNow("2027-03-02T10:00:00Z").toISOString()).toBe("2027-03-02T10:00:00.000Z");
    expect(() => parseNow("yesterday")).toThrow(/invalid time "yesterday"/);
  });
});
