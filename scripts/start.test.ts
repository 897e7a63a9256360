// `npm start` refuses bad configuration with clear lines and no stack trace.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function start(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "strata-start-"));
  return spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/start.ts")], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, STRATA_DATA_DIR: dataDir, ...env } as unknown as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("npm start with a bad configuration", () => {
  it("exits with one clear line when DATABASE_URL is unreachable", () => {
    const res = start({ DATABASE_URL: "postgresql://strata:secret@127.0.0.1:1/strata" });
    expect(res.status).toBe(1);
    const lines = res.stderr.trim().split("\n").filter((l) => !l.includes("npm warn"));
    expect(lines).toEqual(['strata: Cannot reach the database at "postgresql://127.0.0.1:1/strata": connection refused']);
    expect(res.stderr).not.toContain("secret");
  });

  it("lists every wrong variable and starts nothing", () => {
    const res = start({ PORT: "99999", STRATA_ADMIN_EMAIL: "not-an-email" });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("Invalid configuration:");
    expect(res.stderr).toContain("PORT: must be 1-65535");
    expect(res.stderr).toContain("STRATA_ADMIN_EMAIL: must be an email address");
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
