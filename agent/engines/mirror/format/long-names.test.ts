import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { allocateLongName, needsLongIncrementName, readNextFree } from "./long-names";

describe("long names", () => {
  it("sends names with under 50 bytes of headroom to long_filename_data", () => {
    expect(needsLongIncrementName(Buffer.alloc(205, 0x61))).toBe(false);
    expect(needsLongIncrementName(Buffer.alloc(206, 0x61))).toBe(true);
  });

  it("allocates counters from next_free, or from the highest existing name", async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "strata-long-"));
    try {
      expect(await readNextFree(repo)).toBe(1);
      const dir = path.join(repo, "rdiff-backup-data", "long_filename_data");
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "7.2024-01-11T12:00:00Z.diff.gz"), "");
      expect(await readNextFree(repo)).toBe(8);
      expect((await allocateLongName(repo)).toString()).toBe("8");
      expect(readFileSync(path.join(dir, "next_free"), "utf8")).toBe("9");
      expect((await allocateLongName(repo)).toString()).toBe("9");
    } finally {
      rmSync(repo, { recursive: true });
    }
  });
});
