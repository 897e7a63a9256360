import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { extractFixture } from "../../engines/mirror/format/test-fixture";
import { runAgent } from "./restore-cli";

describe("strata-agent verify", () => {
  let fx: ReturnType<typeof extractFixture>;
  beforeAll(() => { fx = extractFixture(); });
  afterAll(() => fx.cleanup());

  it("passes on an intact repository at every session spec", async () => {
    for (const at of ["now", "1B", "3B", "5B"]) {
      const r = await runAgent(["verify", fx.repo, "--at", at]);
      expect(r.code, at).toBe(0);
      expect(r.stdout).toMatch(/Every file verified successfully/);
    }
  });

  it("reports a mirror file whose bytes no longer match the metadata and exits non-zero", async () => {
    writeFileSync(path.join(fx.repo, "late.txt"), "tampr\n"); // same size, other bytes
    const r = await runAgent(["verify", fx.repo]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR: Computed SHA1 digest of file "late.txt"/);
    expect(r.error).toBe("Verification found 1 potentially corrupted files");
  });
});
