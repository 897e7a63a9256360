// Shared helpers of the archive engine's tests: temp dirs, running real tools, fixture extraction.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh temp dir; `cleanup()` removes it. */
export function tempDir(tag: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `strata-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a system tool and returns stdout; fails with a clear message when it is missing. */
export function sh(argv: string[], opts: { cwd?: string; input?: Buffer } = {}): string {
  try {
    return execFileSync(argv[0], argv.slice(1), { cwd: opts.cwd, input: opts.input, stdio: ["pipe", "pipe", "pipe"] }).toString();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === "ENOENT") throw new Error(`System tool "${argv[0]}" is required by this test but is not installed`);
    throw new Error(`"${argv.join(" ")}" failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** The real backup-manager fixture repository, relative to the repo root. */
export const FIXTURE = path.resolve(import.meta.dirname, "../../../../shared/fixtures/backup-manager-repo.tar.gz");

/** Extracts the fixture into `dir` and returns the path of its `repo/` folder. */
export function extractFixture(dir: string): string {
  sh(["tar", "-xzf", FIXTURE, "-C", dir]);
  return path.join(dir, "repo");
}
