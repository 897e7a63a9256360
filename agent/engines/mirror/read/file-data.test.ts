import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openRepository } from "./repository";
import { openFileAt } from "./walk";
import { rdiffBackup, requireRdiffBackup } from "./test-rdiff";

const TIMES = [1704888000, 1704974400, 1705060800];

function version(k: number): Buffer {
  const b = Buffer.alloc(6 << 20);
  for (let i = 0; i < b.length; i += 4096) b.write(`block ${i} `, i);
  for (let j = 0; j <= k; j++) b.write(`changed in ${j}`, 1_000_000 * (j + 1));
  return b;
}

describe("rebuilding a large file through several deltas", () => {
  let dir: string;
  beforeAll(() => {
    requireRdiffBackup();
    dir = mkdtempSync(path.join(os.tmpdir(), "strata-bigfile-"));
    mkdirSync(path.join(dir, "src"));
    for (const [k, t] of TIMES.entries()) {
      writeFileSync(path.join(dir, "src", "big.dat"), version(k));
      utimesSync(path.join(dir, "src", "big.dat"), t - 60, t - 60);
      expect(rdiffBackup(["--current-time", String(t), "backup", path.join(dir, "src"), path.join(dir, "repo")]).status).toBe(0);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives every version byte-exact, spilling big intermediates to a temp dir it removes", async () => {
    const repo = await openRepository(path.join(dir, "repo"));
    const tmpDir = path.join(dir, "tmp");
    mkdirSync(tmpDir);
    for (const [k, t] of TIMES.entries()) {
      const h = createHash("sha1");
      for await (const c of await openFileAt(repo, Buffer.from("big.dat"), t, { tmpDir })) h.update(c);
      expect(h.digest("hex"), `version ${k}`).toBe(createHash("sha1").update(version(k)).digest("hex"));
    }
    expect(readdirSync(tmpDir)).toEqual([]);
  });
});
