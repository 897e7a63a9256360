import type { Metadata } from "next";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/page";
import { listRepositories } from "@/lib/data/repositories";
import { Badge, EmptyState, PageHeader, Table, formatDate } from "@/components/ui";
import { formatBytes } from "@/lib/preview/format";
import { browseHref } from "@/components/browse/urls";

export const metadata: Metadata = { title: "Repositories" };

export default async function RepositoriesPage() {
  const caller = await pageCaller();
  const repos = await listRepositories(caller);
  return (
    <>
      <PageHeader
        title="Repositories"
        subtitle="Backups you may browse: pick one to go back to any date, preview, compare and download."
        actions={
          <form action="/repositories/search" method="get" className="flex gap-2" role="search">
            <input name="q" placeholder="Search every repository…" aria-label="Search every repository" className="w-64 rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-brand-600 focus:outline-none" />
          </form>
        }
      />
      {repos.length === 0 ? (
        <EmptyState title="No repository to show" detail={caller.role === "admin" ? "Repositories appear once a backup has run or an existing one is registered." : "No host with a repository has been assigned to you yet."} />
      ) : (
        <Table head={["Repository", "Host", "Format", "Increments", "Last increment", "Size"]}>
          {repos.map((r) => (
            <tr key={r.id} data-testid="repository-row" className="hover:bg-slate-50">
              <td className="px-4 py-2">
                <Link href={browseHref(r.id, "")} className="font-medium text-brand-600 hover:underline">
                  {r.name}
                </Link>
                {r.importState && r.importState !== "complete" && (
                  <span className="ml-2">
                    <Badge tone={r.importState === "failed" ? "red" : "amber"}>import {r.importState}</Badge>
                  </span>
                )}
              </td>
              <td className="px-4 py-2">{r.host?.name ?? <span className="text-slate-400">none</span>}</td>
              <td className="px-4 py-2">
                <Badge tone={r.format === "mirror" ? "blue" : "amber"}>{r.format}</Badge>
              </td>
              <td className="px-4 py-2 tabular-nums">{r.incrementCount}</td>
              <td className="px-4 py-2 tabular-nums">{formatDate(r.lastIncrementAt)}</td>
              <td className="px-4 py-2 tabular-nums">{formatBytes(r.sizeBytes)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
