import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { listIncrements, renderIncrements } from "./list";
import { openRepository } from "./repository";
import { restoreToDirectory } from "./restore";
import { comparable, describeTree } from "./test-trees";
import { rdiffBackup, requireRdiffBackup, useTz } from "./test-rdiff";

const TIMES = [1704888000, 1704974400];

describe("repositories with chars_to_quote", () => {
  let dir: string;
  let tz: () => void;
  beforeAll(() => {
    requireRdiffBackup();
    tz = useTz("UTC");
    dir = mkdtempSync(path.join(os.tmpdir(), "strata-quoted-"));
    const src = path.join(dir, "src");
    const put = (rel: string, data: string, mt: number) => {
      writeFileSync(path.join(src, rel), data);
      utimesSync(path.join(src, rel), mt, mt);
    };
    mkdirSync(path.join(src, "SubDir"), { recursive: true });
    put("SubDir/File", "file v1\n", TIMES[0] - 60);
    put("UPPER:colon.txt", "upper v1\n", TIMES[0] - 60);
    put("semi;colon", "semi\n", TIMES[0] - 60);
    put("lower.txt", "lower\n", TIMES[0] - 60);
    expect(rdiffBackup(["--chars-to-quote", "A-Z:", "--current-time", String(TIMES[0]), "backup", src, path.join(dir, "repo")]).status).toBe(0);
    put("SubDir/File", "file v2, longer\n", TIMES[1] - 60);
    put("UPPER:colon.txt", "upper v2\n", TIMES[1] - 60);
    rmSync(path.join(src, "semi;colon"));
    expect(rdiffBackup(["--chars-to-quote", "A-Z:", "--current-time", String(TIMES[1]), "backup", src, path.join(dir, "repo")]).status).toBe(0);
  });
  afterAll(() => {
    tz?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores both sessions like the real CLI, with the original (unquoted) names", async () => {
    const repo = await openRepository(path.join(dir, "repo"));
    expect(repo.sessions).toEqual(TIMES);
    for (const t of TIMES) {
      const ours = path.join(dir, `ours-${t}`), theirs = path.join(dir, `theirs-${t}`);
      expect((await restoreToDirectory(repo, Buffer.alloc(0), t, ours)).errors).toEqual([]);
      expect(rdiffBackup(["restore", "--at", String(t), path.join(dir, "repo"), theirs]).status).toBe(0);
      const a = comparable(describeTree(ours)), b = comparable(describeTree(theirs));
      expect(a).toEqual(b);
      expect(a.map((e) => e.path)).toContain("SubDir/File");
    }
    expect(renderIncrements(await listIncrements(repo)) + "\n").toBe(rdiffBackup(["list", "increments", path.join(dir, "repo")]).stdout);
  });
});
