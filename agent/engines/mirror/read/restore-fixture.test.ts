import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { extractFixture, loadManifest } from "../format/test-fixture";
import { openRepository } from "./repository";
import { restoreToDirectory } from "./restore";
import { describeTree, hardLinkGroups } from "./test-trees";

describe("restore of the rdiff-backup 2.2.2 fixture", () => {
  let fx: ReturnType<typeof extractFixture>;
  let out: string;
  beforeAll(() => {
    fx = extractFixture();
    out = mkdtempSync(path.join(os.tmpdir(), "strata-restore-"));
  });
  afterAll(() => {
    fx.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it("restores every session (and session + 1h) byte-exact as the manifest says", async () => {
    const repo = await openRepository(fx.repo);
    for (const s of loadManifest().sessions) {
      for (const at of [s.epoch, s.epoch + 3600]) {
        const target = path.join(out, `${s.session}-${at}`);
        const res = await restoreToDirectory(repo, Buffer.alloc(0), at, target);
        expect(res.status, s.session).toBe("success");
        const tree = describeTree(target, { withRootMtime: true });
        const got = [...tree.values()].map((e) => e.path).sort();
        expect(got, s.session).toEqual(s.entries.map((e) => e.path).sort());
        for (const e of s.entries) {
          const t = tree.get(e.path)!;
          expect(t.type, e.path).toBe(e.type);
          if (e.type === "sym") expect(Buffer.from(t.target!, "base64").toString()).toBe(e.target);
          else expect([t.mode, t.mtime], `${s.session} ${e.path}`).toEqual([e.mode, e.mtime]);
          if (e.type === "reg") expect([t.size, t.sha1], `${s.session} ${e.path}`).toEqual([e.size, e.sha1]);
        }
        expect(hardLinkGroups(tree)).toEqual(s.hardlinks.map((g) => [...g].sort()).sort());
      }
    }
  });
});
