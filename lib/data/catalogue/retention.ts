// Retention in the catalogue: removing increments re-bases version ranges on the remaining increments so
// every remaining time still shows its tree (rdiff-backup semantics: removed times are no longer restorable).
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { ts, type Client } from "./sql";

export interface RemoveResult {
  removedIncrements: number;
  deletedVersions: number;
}

/**
 * Removes the increments at `times` (epoch seconds) of a repository. A version starting at a removed time now
 * starts at the next remaining increment, or disappears when no remaining increment sees it; a version ending
 * at a removed time ends at the next remaining one (its change shows there). Unknown times are ignored.
 */
export async function removeIncrements(repositoryId: string, times: number[], client: Client = db()): Promise<RemoveResult> {
  if (!times.length) return { removedIncrements: 0, deletedVersions: 0 };
  const run = async (tx: Prisma.TransactionClient) => {
    await tx.$queryRaw`SELECT id FROM "Repository" WHERE id = ${repositoryId}::uuid FOR UPDATE`;
    const removed = Prisma.join(times.map((t) => ts(t)));
    const removedIncrements = await tx.$executeRaw`
      DELETE FROM "Increment" WHERE "repositoryId" = ${repositoryId}::uuid AND "time" IN (${removed})`;
    const next = (col: string) => Prisma.sql`(SELECT min(i."time") FROM "Increment" i
      WHERE i."repositoryId" = ${repositoryId}::uuid AND i."time" >= f.${Prisma.raw(`"${col}"`)})`;
    await tx.$executeRaw`
      UPDATE "FileVersion" f SET "validUntil" = COALESCE(${next("validUntil")}, f."validUntil")
      WHERE f."repositoryId" = ${repositoryId}::uuid AND f."validUntil" IN (${removed})`;
    const deletedVersions = await tx.$executeRaw`
      DELETE FROM "FileVersion" f
      WHERE f."repositoryId" = ${repositoryId}::uuid AND f."validFrom" IN (${removed})
        AND (${next("validFrom")} IS NULL OR (f."validUntil" IS NOT NULL AND ${next("validFrom")} >= f."validUntil"))`;
    await tx.$executeRaw`
      UPDATE "FileVersion" f SET "validFrom" = ${next("validFrom")}
      WHERE f."repositoryId" = ${repositoryId}::uuid AND f."validFrom" IN (${removed})`;
    const rest = (await tx.increment.findMany({ where: { repositoryId }, select: { time: true }, orderBy: { time: "asc" } })).map((i) => i.time.getTime() / 1000);
    const targets = new Set(times.map((t) => rest.find((r) => r >= t)).filter((r): r is number => r !== undefined));
    if (targets.size) await recount(tx, repositoryId, [...targets]);
    return { removedIncrements, deletedVersions };
  };
  return "$transaction" in client ? client.$transaction(run, { timeout: 30 * 60_000, maxWait: 60_000 }) : run(client);
}

/** Recomputes the given increments' new/changed/deleted counts from the version ranges (after a removal). */
async function recount(tx: Prisma.TransactionClient, repo: string, times: number[]) {
  await tx.$executeRaw`
    UPDATE "Increment" i SET
      "newCount" = (SELECT count(*) FROM "FileVersion" f WHERE f."repositoryId" = i."repositoryId" AND f."validFrom" = i."time"
                     AND NOT EXISTS (SELECT 1 FROM "FileVersion" p WHERE p."repositoryId" = f."repositoryId" AND p."path" = f."path" AND p."validUntil" = f."validFrom")),
      "changedCount" = (SELECT count(*) FROM "FileVersion" f WHERE f."repositoryId" = i."repositoryId" AND f."validFrom" = i."time"
                     AND EXISTS (SELECT 1 FROM "FileVersion" p WHERE p."repositoryId" = f."repositoryId" AND p."path" = f."path" AND p."validUntil" = f."validFrom")),
      "deletedCount" = (SELECT count(*) FROM "FileVersion" p WHERE p."repositoryId" = i."repositoryId" AND p."validUntil" = i."time"
                     AND NOT EXISTS (SELECT 1 FROM "FileVersion" f WHERE f."repositoryId" = p."repositoryId" AND f."path" = p."path" AND f."validFrom" = p."validUntil"))
    WHERE i."repositoryId" = ${repo}::uuid AND i."time" IN (${Prisma.join(times.map((t) => ts(t)))})`;
}
