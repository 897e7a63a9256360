import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { exitCodeFor } from "../../errors";
import { runCli } from "../index";

const ROOT = path.resolve(import.meta.dirname, "../../..");
let dir: string;

function agent(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "agent/main.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs a verb in this process (fast), capturing what it writes; the spawned agent is tested below. */
async function inProcess(...args: string[]) {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((out += c.toString()), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((err += c.toString()), true));
  let code: number;
  try {
    code = await runCli(args);
  } catch (x) {
    code = exitCodeFor(x);
    err += (x as Error).message;
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "strata-archive-cli-"));
  mkdirSync(path.join(dir, "data", "sub"), { recursive: true });
  writeFileSync(path.join(dir, "data", "a.txt"), "alpha\n");
  writeFileSync(path.join(dir, "data", "sub", "c.txt"), "charlie\n");
  writeFileSync(
    path.join(dir, "job.json"),
    JSON.stringify({
      name: "cli",
      repository: path.join(dir, "repo"),
      prefix: "h",
      methods: ["tarball-incremental"],
      ttlDays: 1,
      tarball: { targets: [path.join(dir, "data")], fileType: "tar.zst" },
      incremental: { frequency: "monthly", value: 1 },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("strata-agent archive", () => {
  it("runs a job on given days, lists and extracts members, and purges with --dry-run first", async () => {
    const job = path.join(dir, "job.json");
    expect((await inProcess("archive", "run", "--config", job, "--date", "20270301")).code).toBe(0);
    writeFileSync(path.join(dir, "data", "a.txt"), "alpha v2\n");
    const second = await inProcess("archive", "run", "--config", job, "--date", "20270302");
    expect(second.code).toBe(0);
    expect(second.out).toContain('Job "cli" 20270302: 1 archives written');
    const stem = `h${path.join(dir, "data").replace(/\//g, "-")}`;
    const inc = path.join(dir, "repo", `${stem}.20270302.tar.zst`);
    const list = await inProcess("archive", "list", inc);
    expect(list.code).toBe(0);
    expect(list.out).toContain(`${path.join(dir, "data").slice(1)}/a.txt`);
    const member = `${path.join(dir, "data").slice(1)}/a.txt`;
    const ex = await inProcess("archive", "extract", inc, member, "-v");
    expect(ex.out).toBe("alpha v2\n");
    expect(ex.err).toMatch(/9 bytes extracted, \d+ archive bytes read \(index\)/);
    const outFile = path.join(dir, "a.out");
    expect((await inProcess("archive", "extract", inc, member, "-o", outFile)).code).toBe(0);
    expect(readFileSync(outFile, "utf8")).toBe("alpha v2\n");

    expect((await inProcess("archive", "run", "--config", job, "--date", "20270401")).code).toBe(0);
    const dry = await inProcess("archive", "purge", "--config", job, "--date", "20270403", "--dry-run");
    expect(dry.out).toContain(`Would remove archive "${path.join(dir, "repo", `${stem}.20270301.master.tar.zst`)}".`);
    expect(dry.out).toContain("Would remove 2 archives");
    expect(readdirSync(path.join(dir, "repo"))).toContain(`${stem}.20270301.master.tar.zst`);
    expect((await inProcess("archive", "purge", "--config", job, "--date", "20270403")).out).toContain("Removed 2 archives");
    expect(readdirSync(path.join(dir, "repo")).filter((n) => n.includes(".2027"))).toEqual([
      `${stem}.20270401.master.tar.zst`,
      `${stem}.20270401.master.tar.zst.idx.json`,
    ]);
  });

  it("rejects a bad job file naming every bad field, with the usage exit code", () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ name: "x y", repository: "rel", prefix: "h", methods: ["tarball"], incremental: { frequency: "weekly", value: 9 } }));
    const r = agent("archive", "run", "--config", bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Invalid job file "${bad}":`);
    expect(r.err).toContain("name: must be letters, digits");
    expect(r.err).toContain("repository: must be an absolute path");
    expect(r.err).toContain("incremental.value: weekly master day must be 0–6");
    expect(r.err).toContain('tarball: is required by method "tarball"');
  });

  it("reports a missing member with the archive name and a failure exit code", () => {
    const r = agent("archive", "extract", path.join(dir, "nope.tar.gz"), "x");
    expect(r.code).toBe(1);
    expect(r.err).toContain("nope.tar.gz");
  });
});
