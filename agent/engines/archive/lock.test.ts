import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentError } from "@/agent/errors";
import { acquireLock } from "./lock";
import { tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

describe("job lock", () => {
  it("refuses a second run while the owner process is alive, with a clear message", async () => {
    const t = tempDir("lock");
    cleanup = t.cleanup;
    const lockPath = path.join(t.dir, "job.lock");
    const sleeper = spawn("sleep", ["30"]);
    try {
      writeFileSync(lockPath, `${sleeper.pid} nightly\n`);
      const err = await acquireLock(lockPath, "nightly").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AgentError);
      expect((err as AgentError).kind).toBe("locked");
      expect((err as Error).message).toBe(
        `Job "nightly" is already running (PID ${sleeper.pid}, lock "${lockPath}"); not starting a second run`,
      );
    } finally {
      sleeper.kill();
    }
  });

  it("refuses a second acquisition in the same process and frees the lock on release", async () => {
    const t = tempDir("lock");
    cleanup = t.cleanup;
    const lockPath = path.join(t.dir, "job.lock");
    const lock = await acquireLock(lockPath, "nightly");
    await expect(acquireLock(lockPath, "nightly")).rejects.toMatchObject({ kind: "locked" });
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
    const again = await acquireLock(lockPath, "nightly");
    await again.release();
  });

  it("takes over a stale lock left by a dead process", async () => {
    const t = tempDir("lock");
    cleanup = t.cleanup;
    const lockPath = path.join(t.dir, "job.lock");
    const dead = spawn("true");
    await new Promise((r) => dead.on("close", r));
    writeFileSync(lockPath, `${dead.pid} nightly\n`);
    const logs: string[] = [];
    const lock = await acquireLock(lockPath, "nightly", (l) => logs.push(l));
    expect(logs[0]).toMatch(/Removing stale lock .*PID \d+ is not running/);
    await lock.release();
  });
});
