import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { listIncrements, listIncrementSizes, renderIncrements, renderIncrementSizes } from "./list";
import { openRepository } from "./repository";
import { restoreToDirectory } from "./restore";
import { verifyAt } from "./verify";
import { AWKWARD_TIMES, awkwardSession } from "./test-awkward";
import { comparable, describeTree, hardLinkGroups } from "./test-trees";
import { rdiffBackup, requireRdiffBackup, useTz } from "./test-rdiff";

describe("repositories the real rdiff-backup writes from awkward trees", () => {
  let dir: string;
  let restoreTz: () => void;
  const src = () => path.join(dir, "src");
  const repoPath = () => path.join(dir, "repo");
  const sources: Array<ReturnType<typeof describeTree>> = [];

  beforeAll(() => {
    requireRdiffBackup();
    restoreTz = useTz("UTC");
    dir = mkdtempSync(path.join(os.tmpdir(), "strata-awkward-"));
    for (let k = 1; k <= 5; k++) {
      awkwardSession(src(), k);
      sources.push(describeTree(src()));
      const r = rdiffBackup(["--current-time", String(AWKWARD_TIMES[k - 1]), "backup", src(), repoPath()]);
      if (r.status !== 0) throw new Error(`rdiff-backup backup failed: ${r.stderr}`);
    }
  });
  afterAll(() => {
    restoreTz?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores each session as the real `rdiff-backup restore --at` does, byte for byte", async () => {
    const repo = await openRepository(repoPath());
    expect(repo.sessions).toEqual(AWKWARD_TIMES);
    for (const [i, t] of AWKWARD_TIMES.entries()) {
      for (const at of [t, t + 600]) {
        const ours = path.join(dir, `ours-${at}`), theirs = path.join(dir, `theirs-${at}`);
        const res = await restoreToDirectory(repo, Buffer.alloc(0), at, ours);
        expect(res.errors, `session ${i + 1}`).toEqual([]);
        const r = rdiffBackup(["restore", "--at", String(at), repoPath(), theirs]);
        expect(r.status, r.stderr).toBe(0);
        const a = describeTree(ours, { withRootMtime: true }), b = describeTree(theirs, { withRootMtime: true });
        expect(comparable(a), `session ${i + 1} at ${at}`).toEqual(comparable(b));
        expect(hardLinkGroups(a)).toEqual(hardLinkGroups(b));
        const source = comparable(sources[i]).filter((e) => e.type === "reg").map((e) => [e.path, e.sha1, e.mode, e.mtime]);
        expect(comparable(a).filter((e) => e.type === "reg").map((e) => [e.path, e.sha1, e.mode, e.mtime])).toEqual(source);
      }
    }
  });

  it("restores single files and sub-trees, including non-UTF-8 and 20-deep paths", async () => {
    const repo = await openRepository(repoPath());
    const nonUtf8 = Buffer.concat([Buffer.from("f"), Buffer.from([0xff, 0xfe]), Buffer.from(".bin")]);
    const one = path.join(dir, "one");
    await restoreToDirectory(repo, nonUtf8, AWKWARD_TIMES[0], one);
    expect(describeTree(one).get(".")).toMatchObject({ type: "reg", size: 7 });
    const deep = path.join(dir, "deep");
    await restoreToDirectory(repo, Buffer.from("d01/d02/d03"), AWKWARD_TIMES[0], deep);
    expect([...describeTree(deep).keys()]).toContain("d04/d05/d06/d07/d08/d09/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20/leaf.txt");
  });

  it("lists increments and sizes like the real CLI and verifies every session", async () => {
    const repo = await openRepository(repoPath());
    expect(renderIncrements(await listIncrements(repo)) + "\n").toBe(rdiffBackup(["list", "increments", repoPath()]).stdout);
    expect(renderIncrementSizes(await listIncrementSizes(repo)) + "\n").toBe(rdiffBackup(["list", "increments", "--size", repoPath()]).stdout);
    for (const t of AWKWARD_TIMES) expect((await verifyAt(repo, t)).problems.filter((p) => p.kind !== "no-hash")).toEqual([]);
  });
});
