import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { extractFixture } from "../../engines/mirror/format/test-fixture";
import { useTz } from "../../engines/mirror/read/test-rdiff";
import { runAgent } from "./restore-cli";

describe("strata-agent remove increments", () => {
  let fx: ReturnType<typeof extractFixture>;
  let tz: () => void;
  beforeAll(() => {
    fx = extractFixture();
    tz = useTz("UTC");
  });
  afterAll(() => {
    tz();
    fx.cleanup();
  });

  it("lists with --dry-run, refuses several sessions without --force, then removes them", async () => {
    const inc = path.join(fx.repo, "rdiff-backup-data", "increments", "a.txt.2024-03-25T11:00:00+01:00.diff.gz");
    const dry = await runAgent(["remove", "increments", "--older-than", "2B", fx.repo, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Would delete increments at dates/times:\nMon Mar 25 10:00:00 2024\nWed Mar 27 10:00:00 2024");
    expect(dry.stdout).toContain("a.txt.2024-03-25T11:00:00+01:00.diff.gz");
    expect(existsSync(inc)).toBe(true);
    const refused = await runAgent(["remove", "increments", "--older-than", "2B", fx.repo]);
    expect(refused.code).toBe(2);
    expect(refused.error).toMatch(/2 sessions would go.*--force/);
    expect(existsSync(inc)).toBe(true);
    expect((await runAgent(["remove", "increments", "--older-than", "2B", fx.repo, "--force"])).code).toBe(0);
    expect(existsSync(inc)).toBe(false);
    const none = await runAgent(["remove", "increments", "--older-than", "1711533600", fx.repo]);
    expect(none.stdout).toMatch(/^No increments older than/);
    expect((await runAgent(["list", "increments", fx.repo])).stdout).toMatch(/^Found 2 increments:/);
  });
});
