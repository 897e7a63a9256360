import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { incrementTimes, inspectRepository, parseMarkerPid, resolveRestoreTime, sessionTimes } from "./sessions";
import { extractFixture } from "./test-fixture";

const S = [1711360800, 1711533600, 1711706400, 1711792800, 1712052000, 1712311200];

describe("session discovery", () => {
  it("finds the fixture's six sessions and the four listed increments", async () => {
    const fx = extractFixture();
    try {
      const st = await inspectRepository(fx.repo);
      expect(st.status).toBe("ok");
      expect(st.mirrorTime).toBe(S[5]);
      expect(sessionTimes(st)).toEqual(S);
      expect(incrementTimes(st).map((f) => f.time)).toEqual([S[0], S[1], S[3], S[4]]);
    } finally {
      fx.cleanup();
    }
  });

  it("detects a crashed session from two current_mirror markers", async () => {
    const fx = extractFixture();
    try {
      const d = path.join(fx.repo, "rdiff-backup-data");
      writeFileSync(path.join(d, "current_mirror.2024-04-06T10:00:00Z.data"), "PID 999999\n");
      const st = await inspectRepository(fx.repo);
      expect(st).toMatchObject({ status: "interrupted", mirrorTime: S[5], failedTime: 1712397600 });
      expect(st.markerPids).toContain(999999);
    } finally {
      fx.cleanup();
    }
  });

  it("tells an interrupted initial backup from a directory that is no repository", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "strata-sess-"));
    try {
      expect((await inspectRepository(dir)).status).toBe("not-a-repository");
      mkdirSync(path.join(dir, "rdiff-backup-data"));
      writeFileSync(path.join(dir, "rdiff-backup-data", "error_log.2024-01-10T12:00:00Z.data"), "");
      expect((await inspectRepository(dir)).status).toBe("interrupted-initial");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("resolves a time to the newest session at or before it, else the oldest", () => {
    expect(resolveRestoreTime(S, S[1] + 3600)).toBe(S[1]);
    expect(resolveRestoreTime(S, S[3])).toBe(S[3]);
    expect(resolveRestoreTime(S, 1700000000)).toBe(S[0]);
    expect(resolveRestoreTime(S, 2e9)).toBe(S[5]);
    expect(parseMarkerPid("PID 19254\n")).toBe(19254);
    expect(parseMarkerPid("garbage")).toBeNull();
  });
});
