// Hosts as each caller may see them: admins all, operators and viewers those assigned to them.
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";

/** The `where` that limits hosts to the caller's. */
export function visibleHosts(caller: Caller): Prisma.HostWhereInput {
  return caller.role === "admin" ? {} : { assignments: { some: { userId: caller.id } } };
}

/** Hosts the caller may see, for the dashboard and pickers. */
export async function listHosts(caller: Caller) {
  return db().host.findMany({
    where: visibleHosts(caller),
    orderBy: { name: "asc" },
    select: { id: true, name: true, address: true, agent: { select: { name: true } }, _count: { select: { jobs: true, repositories: true } } },
  });
}
