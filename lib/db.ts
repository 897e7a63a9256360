// The console's one Prisma client (a process-wide singleton), for lib/data only.
import { createPrismaClient } from "@/lib/db/client";
import { consoleRuntime } from "@/lib/env";

type Client = ReturnType<typeof createPrismaClient>;
const g = globalThis as unknown as { __strataPrisma?: Client };

/** The shared Prisma client; created on first use from DATABASE_URL. */
export function db(): Client {
  g.__strataPrisma ??= createPrismaClient(consoleRuntime().databaseUrl);
  return g.__strataPrisma;
}
