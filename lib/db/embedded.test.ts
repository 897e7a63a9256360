// The embedded PGlite: the same migrations apply, the client works through the socket, a data
// directory left by a killed process reopens, and a directory in use is refused.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "./client";
import { startEmbeddedDatabase } from "./embedded";
import { applyMigrations, readMigrations } from "./migrate";

let tmp: string;
let child: ChildProcess | undefined;

/** Starts embedded.fixture.ts on `dataDir` and resolves once it has migrated and written. */
function startChild(dataDir: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "lib/db/embedded.fixture.ts", dataDir], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stderr = "";
  proc.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("READY ")) resolve(proc);
    });
    proc.on("exit", (code) => reject(new Error(`Embedded fixture exited with ${code}: ${stderr}`)));
  });
}

/** Waits until `pid` has exited (gone, or a zombie nobody reaped yet). */
async function waitForDeath(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (stat === null || /\) [ZX] /.test(stat)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Process ${pid} did not die after SIGKILL`);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "strata-embedded-"));
});
afterAll(async () => {
  if (child?.pid) process.kill(-child.pid, "SIGKILL");
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("embedded database", () => {
  it("migrates a fresh PGlite, refuses a second opener, and reopens after kill -9 with its data", async () => {
    const dataDir = path.join(tmp, "data", "nested"); // parents do not exist yet
    child = await startChild(dataDir);
    const holder = Number((await fs.readFile(path.join(dataDir, "pg.pid"), "utf8")).split(" ")[0]);
    expect(holder).toBe(child.pid);
    await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(
      `Cannot start the embedded database "${path.join(dataDir, "pg")}": it is in use by process ${holder}`,
    );

    const exited = new Promise((r) => child!.once("exit", r));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    child = undefined;
    await waitForDeath(holder);

    const embedded = await startEmbeddedDatabase({ dataDir });
    try {
      expect(embedded.url).toMatch(/^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable&application_name=strata-embedded$/);
      const again = await applyMigrations(embedded.url);
      expect(again).toEqual({ applied: [], alreadyApplied: (await readMigrations()).map((m) => m.name) });

      const prisma = createPrismaClient(embedded.url);
      try {
        const rows = await prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null }[]>(
          `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
        );
        const local = await readMigrations();
        expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(local.map((m) => [m.name, m.checksum]));
        expect(rows.every((r) => r.finished_at !== null)).toBe(true);
        expect(await prisma.user.findUniqueOrThrow({ where: { email: "before-kill@example.org" } })).toMatchObject({ role: "admin" });

        // A round trip through the socket, including an interactive transaction and the trigram index.
        const agent = await prisma.agent.create({ data: { name: "local", tokenHash: "t", secretEnc: "s" } });
        const repo = await prisma.repository.create({ data: { name: "r", format: "mirror", agentId: agent.id, path: "/srv/r" } });
        await prisma.$transaction(async (tx) => {
          await tx.fileVersion.createMany({
            data: ["hosts", "passwd", "hostname"].map((name) => ({ repositoryId: repo.id, path: `/etc/${name}`, parent: "/etc", name, type: "file" as const, size: 2n ** 40n, validFrom: new Date() })),
          });
        });
        const found = await prisma.fileVersion.findMany({ where: { name: { contains: "HOST", mode: "insensitive" } }, orderBy: { name: "asc" } });
        expect(found.map((f) => [f.name, f.size])).toEqual([["hostname", 2n ** 40n], ["hosts", 2n ** 40n]]);
        await prisma.repository.delete({ where: { id: repo.id } });
        expect(await prisma.fileVersion.count()).toBe(0);
      } finally {
        await prisma.$disconnect();
      }
    } finally {
      await embedded.stop();
    }
    await expect(fs.access(path.join(dataDir, "pg.pid"))).rejects.toThrow();
  });
});
