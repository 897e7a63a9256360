import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { extractFixture, loadManifest } from "../format/test-fixture";
import { changedSince, filesAt, listIncrements, listIncrementSizes, printablePath, renderIncrements, renderIncrementSizes } from "./list";
import { removeIncrementsOlderThan } from "./remove";
import { openRepository } from "./repository";
import { timeForRepo } from "./time-spec";
import { verifyAt } from "./verify";
import { copyTree, listAll, rdiffBackup, requireRdiffBackup, useTz } from "./test-rdiff";

describe("listings, remove and verify agree with the real rdiff-backup on the fixture", () => {
  let fx: ReturnType<typeof extractFixture>;
  let restoreTz: () => void;
  const sessions = loadManifest().sessions.map((s) => s.epoch);
  beforeAll(() => {
    requireRdiffBackup();
    restoreTz = useTz("UTC");
    fx = extractFixture();
  });
  afterAll(() => {
    restoreTz();
    fx.cleanup();
  });

  it("lists increments and increment sizes exactly like `rdiff-backup list increments [--size]`", async () => {
    const repo = await openRepository(fx.repo);
    expect(renderIncrements(await listIncrements(repo)) + "\n").toBe(rdiffBackup(["list", "increments", fx.repo]).stdout);
    expect(renderIncrementSizes(await listIncrementSizes(repo)) + "\n").toBe(
      rdiffBackup(["list", "increments", "--size", fx.repo]).stdout,
    );
    const aTxt = Buffer.from("a.txt");
    expect(renderIncrements(await listIncrements(repo, aTxt)) + "\n").toBe(
      rdiffBackup(["list", "increments", path.join(fx.repo, "a.txt")]).stdout,
    );
  });

  it("lists files at every session and changes since every session like rdiff-backup", async () => {
    const repo = await openRepository(fx.repo);
    for (const t of sessions) {
      const ours: string[] = [];
      for await (const r of filesAt(repo, Buffer.alloc(0), t)) ours.push(printablePath(r.path));
      expect(ours.join("\n") + "\n", `files at ${t}`).toBe(rdiffBackup(["list", "files", "--at", String(t), fx.repo]).stdout);
      const changed: string[] = [];
      for await (const c of changedSince(repo, Buffer.alloc(0), t)) changed.push(`${c.change.padEnd(7)} ${printablePath(c.record.path)}`);
      const real = rdiffBackup(["list", "files", "--changed-since", String(t), fx.repo]).stdout;
      expect(changed.map((l) => l + "\n").join(""), `changed since ${t}`).toBe(real);
    }
  });

  it("resolves NB like rdiff-backup: 1B = S5, 5B and 9B = S1", async () => {
    const repo = await openRepository(fx.repo);
    expect(timeForRepo(repo, "1B")).toBe(sessions[4]);
    expect(timeForRepo(repo, "5B")).toBe(sessions[0]);
    expect(timeForRepo(repo, "9B")).toBe(sessions[0]);
  });

  it("removes the same files as `rdiff-backup remove increments`, and refuses several without --force", async () => {
    for (const spec of ["1711533600", "2B", "now"]) {
      const ours = path.join(fx.root, `ours-${spec}`), theirs = path.join(fx.root, `theirs-${spec}`);
      copyTree(fx.repo, ours);
      copyTree(fx.repo, theirs);
      const repo = await openRepository(ours);
      const t = timeForRepo(repo, spec);
      const several = (await removeIncrementsOlderThan(repo, t, { dryRun: true })).times.length > 1;
      if (several) {
        await expect(removeIncrementsOlderThan(repo, t)).rejects.toThrow(/use --force/);
        expect(rdiffBackup(["remove", "increments", "--older-than", spec, theirs]).status).toBe(1);
      }
      await removeIncrementsOlderThan(repo, t, { force: true });
      expect(rdiffBackup(["--force", "remove", "increments", "--older-than", spec, theirs]).status).toBe(0);
      expect(listAll(ours), spec).toEqual(listAll(theirs));
    }
  });

  it("verifies every session clean, as rdiff-backup verify does", async () => {
    const repo = await openRepository(fx.repo);
    for (const t of sessions) {
      const res = await verifyAt(repo, t);
      expect(res.problems, String(t)).toEqual([]);
      expect(res.verified).toBeGreaterThan(5);
    }
    expect(rdiffBackup(["verify", fx.repo]).status).toBe(0);
  });
});
