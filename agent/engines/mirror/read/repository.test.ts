import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { extractFixture } from "../format/test-fixture";
import { locateRepository, openRepository } from "./repository";

describe("opening a repository for reading", () => {
  let fx: ReturnType<typeof extractFixture>;
  beforeAll(() => { fx = extractFixture(); });
  afterAll(() => fx.cleanup());

  it("splits REPO/PATH at the directory holding rdiff-backup-data", async () => {
    const { root, sub } = await locateRepository(path.join(fx.repo, "new.txt", "inner.txt"));
    expect(root).toBe(fx.repo);
    expect(sub.toString()).toBe("new.txt/inner.txt");
    await expect(locateRepository(fx.root)).rejects.toThrow(/no rdiff-backup-data directory/);
  });

  it("refuses a repository whose last session failed, and says to regress", async () => {
    const marker = path.join(fx.repo, "rdiff-backup-data", "current_mirror.2024-04-06T10:00:00Z.data");
    writeFileSync(marker, "PID 999999\n");
    await expect(openRepository(fx.repo)).rejects.toThrow(/previous backup seems to have failed.*regress/);
    const repo = await openRepository(fx.repo, { allowInterrupted: true });
    expect(repo.mirrorTime).toBe(1712311200);
  });

  it("refuses a repository while a session is running", async () => {
    const marker = path.join(fx.repo, "rdiff-backup-data", "current_mirror.2024-04-06T10:00:00Z.data");
    writeFileSync(marker, `PID ${process.pid}\n`);
    await expect(openRepository(fx.repo)).rejects.toMatchObject({ kind: "locked" });
  });
});
