// The same --include/--exclude options select the same files in Strata and in the real rdiff-backup.
import { execFileSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestOf, rdiffBackup, runAgent } from "./testing";

let tmp: string;
let src: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "strata-select-"));
  src = path.join(tmp, "src");
  for (const rel of ["top.py", "README.TXT", "a/b/f.py", "a/b/g.txt", "a/G.TXT", "c/h.py", "c/deep/x.Txt", "rdiff-backup-data/x"]) {
    await fsp.mkdir(path.dirname(path.join(src, rel)), { recursive: true });
    await fsp.writeFile(path.join(src, rel), rel);
  }
  await fsp.mkdir(path.join(src, "empty"));
  execFileSync("mkfifo", [path.join(src, "pipe")]);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("selection parity with rdiff-backup", () => {
  const cases: Array<[string, (s: string) => string[]]> = [
    ["** includes with parents, then exclude the rest", () => ["--include", "**.py", "--exclude", "**"]],
    ["a plain path and --exclude-fifos", (s) => ["--exclude", `${s}/a`, "--exclude-fifos"]],
    ["ignorecase: with * and **", (s) => ["--exclude", `ignorecase:${s}/**/*.txt`]],
    ["first match wins", (s) => ["--exclude", `${s}/a/b/g.txt`, "--include", `${s}/a`, "--exclude", "**"]],
  ];
  it.each(cases)("%s", async (name, opts) => {
    const slug = name.replace(/\W+/g, "-");
    const theirs = path.join(tmp, `rdiff-${slug}`);
    const ours = path.join(tmp, `strata-${slug}`);
    const r = await rdiffBackup(["--current-time", "1700000000", "backup", ...opts(src), src, theirs]);
    expect(r.code, r.stderr).toBe(0);
    const s = await runAgent(["backup", "--current-time", "1700000000", ...opts(src), src, ours]);
    expect(s.code, s.stderr).toBe(0);
    const paths = async (repo: string) => [...(await manifestOf(repo)).keys()].map((k) => Buffer.from(k, "hex").toString()).sort();
    const expected = await paths(theirs);
    expect(expected.length).toBeGreaterThan(1);
    expect(await paths(ours)).toEqual(expected);
  });
});
