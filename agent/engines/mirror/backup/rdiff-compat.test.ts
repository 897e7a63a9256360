// Strata writes, the real rdiff-backup 2.2 reads: six sessions restore byte-exact at every session time,
// verify and list increments accept the repository, and sessions alternate with rdiff-backup's own.
import { promises as fsp } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalSource } from "@/agent/sources/local";
import { backupSession } from "./session";
import { mutate, session1 } from "./scenario";
import { manifestDiff, manifestOf, rdiffBackup, restoreWithRdiff, runAgent, type Manifest } from "./testing";

const T0 = 1_700_000_000;
const timeOf = (n: number) => T0 + (n - 1) * 86_400;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "strata-compat-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function strataBackup(src: string, repo: string, n: number): Promise<void> {
  const r = await backupSession({ source: await openLocalSource(src), repo, currentTime: timeOf(n) });
  expect(r.status).toBe("success");
}

describe("repositories Strata writes, read by the real rdiff-backup", () => {
  const manifests = new Map<number, Manifest>();
  let src: string;
  let repo: string;

  beforeAll(async () => {
    src = path.join(tmp, "a-src");
    repo = path.join(tmp, "a-repo");
    await fsp.mkdir(src);
    for (let n = 1; n <= 6; n++) {
      if (n === 1) await session1(src, T0 - 5000);
      else await mutate(src, n, T0 + n * 1000);
      if (n === 1) {
        const cli = await runAgent(["backup", "--current-time", String(timeOf(1)), src, repo], {}, true);
        expect(cli.code, cli.stderr).toBe(0);
      } else await strataBackup(src, repo, n);
      manifests.set(n, await manifestOf(src));
    }
  });

  it("restores every session byte for byte (content, mode, mtime, symlinks, hard links)", async () => {
    for (let n = 1; n <= 6; n++) {
      const restored = await restoreWithRdiff(repo, timeOf(n), path.join(tmp, `a-out-${n}`));
      expect(manifestDiff(manifests.get(n)!, restored), `session ${n}`).toEqual([]);
      expect(restored.size).toBeGreaterThan(25);
      if (n > 1 && n !== 4) expect(manifestDiff(manifests.get(n - 1)!, restored).length, "sessions differ").toBeGreaterThan(0);
    }
  });

  it("keeps increments of a 255-byte name in long_filename_data", async () => {
    const names = await fsp.readdir(path.join(repo, "rdiff-backup-data/long_filename_data"));
    expect(names).toContain("next_free");
    expect(names.some((n) => /^\d+\.2023-11-14T22:13:20Z\.diff\.gz$/.test(n))).toBe(true);
  });

  it("passes rdiff-backup verify and lists the sessions that have increments", async () => {
    const v = await rdiffBackup(["verify", repo]);
    expect(v.code, v.stderr + v.stdout).toBe(0);
    const l = await rdiffBackup(["--parsable-output", "list", "increments", repo]);
    expect(l.code, l.stderr).toBe(0);
    const times = l.stdout.trim().split("\n").map((line) => Number(line.split(" ")[0]));
    // session 4 changed nothing, so session 3 has no root increment (only its metadata diff)
    expect(times).toEqual([timeOf(1), timeOf(2), timeOf(4), timeOf(5), timeOf(6)]);
  });

  it("stores a small reverse delta for a small change to a large file", async () => {
    const incs = await fsp.readdir(path.join(repo, "rdiff-backup-data/increments"));
    const diff = incs.find((n) => n.startsWith("big.txt.") && n.endsWith(".diff.gz") && n.includes("2023-11-14"));
    expect(diff).toBeDefined();
    const raw = await fsp.readFile(path.join(repo, "rdiff-backup-data/increments", diff!));
    expect(raw.length).toBeLessThan(2000);
    expect(gunzipSync(raw).subarray(0, 4).toString("hex")).toBe("72730236");
    const sparse = await fsp.stat(path.join(repo, "rdiff-backup-data/increments/sparse.img.2023-11-18T22:13:20Z.diff.gz"));
    expect(sparse.size).toBeLessThan(20_000); // 6 bytes changed in a 4 MiB file
  });

  it("writes rdiff-backup's data files for every session", async () => {
    const names = await fsp.readdir(path.join(repo, "rdiff-backup-data"));
    expect(names.filter((n) => n.startsWith("current_mirror."))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith("mirror_metadata.")).length).toBe(6);
    expect(names.filter((n) => /^mirror_metadata\..*\.snapshot\.gz$/.test(n))).toHaveLength(1);
    expect(names).toContain("mirror_metadata.2023-11-16T22:13:20Z.diff"); // no-change session: empty diff
    for (const prefix of ["session_statistics", "file_statistics", "error_log", "extended_attributes", "access_control_lists"]) {
      expect(names.filter((n) => n.startsWith(prefix + ".")).length, prefix).toBe(6);
    }
    expect(names).toEqual(expect.arrayContaining(["chars_to_quote", "special_escapes", "backup.log"]));
    expect(names).not.toContain("strata.lock");
  });
});

describe("sessions alternating between rdiff-backup and Strata on one repository", () => {
  it("restores every session, whoever wrote it", async () => {
    const src = path.join(tmp, "c-src");
    const repo = path.join(tmp, "c-repo");
    await fsp.mkdir(src);
    const manifests = new Map<number, Manifest>();
    for (let n = 1; n <= 6; n++) {
      if (n === 1) await session1(src, T0 - 5000);
      else await mutate(src, n, T0 + n * 1000);
      if (n % 2 === 1) {
        const r = await rdiffBackup(["--current-time", String(timeOf(n)), "backup", src, repo]);
        expect(r.code, r.stderr).toBe(0);
      } else await strataBackup(src, repo, n);
      manifests.set(n, await manifestOf(src));
    }
    for (let n = 1; n <= 6; n++) {
      const restored = await restoreWithRdiff(repo, timeOf(n), path.join(tmp, `c-out-${n}`));
      expect(manifestDiff(manifests.get(n)!, restored), `session ${n}`).toEqual([]);
    }
    const v = await rdiffBackup(["verify", repo]);
    expect(v.code, v.stderr + v.stdout).toBe(0);
  });
});
