// Test helper: extracts the shared rdiff-backup 2.2.2 fixture repository into a fresh temp dir.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const FIXTURE_DIR =
  process.env.STRATA_FIXTURES ?? path.resolve(import.meta.dirname, "../../../../../shared/fixtures");
export const FIXTURE_TAR = path.join(FIXTURE_DIR, "rdiff-backup-repo-v2.2.2.tar.gz");

export interface ManifestEntry {
  path: string;
  type: "reg" | "dir" | "sym";
  mode?: string;
  mtime?: number;
  size?: number;
  sha1?: string;
  text?: string;
  target?: string;
}
export interface ManifestSession {
  session: string;
  epoch: number;
  timestring: string;
  hardlinks: string[][];
  entries: ManifestEntry[];
}

/** The fixture's manifest (expected tree per session). */
export function loadManifest(): { sessions: ManifestSession[] } {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, "rdiff-backup-repo-v2.2.2.manifest.json"), "utf8"));
}

/** Extracts the fixture; returns the repo path and a cleanup function. */
export function extractFixture(): { root: string; repo: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), "strata-fixture-"));
  execFileSync("tar", ["-xzf", FIXTURE_TAR, "-C", root]);
  return { root, repo: path.join(root, "repo"), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
