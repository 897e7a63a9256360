import type { Metadata } from "next";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/page";
import { listRuns } from "@/lib/data/runs";
import { runStatus } from "@/lib/schemas/agent-protocol";
import { EmptyState, PageHeader } from "@/components/ui";
import { RunTable } from "@/components/runs/run-table";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ status?: string; hostId?: string }> }) {
  const caller = await pageCaller();
  const q = await searchParams;
  const status = runStatus.safeParse(q.status).data;
  const hostId = q.hostId && /^[0-9a-f-]{36}$/i.test(q.hostId) ? q.hostId : undefined;
  const runs = await listRuns(caller, { status, hostId, limit: 200 });
  const href = (s?: string) => `/runs?${new URLSearchParams({ ...(s ? { status: s } : {}), ...(hostId ? { hostId } : {}) })}`;
  return (
    <>
      <PageHeader title="Runs" subtitle={hostId && runs[0]?.job ? `Recent runs of ${runs[0].job.host.name}` : "Recent runs of the hosts you can see."} />
      <nav className="mb-4 flex flex-wrap gap-2 text-sm" aria-label="Filter by status">
        {[undefined, ...runStatus.options].map((s) => (
          <Link key={s ?? "all"} href={href(s)} className={`rounded-full border px-3 py-0.5 ${s === status ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white hover:bg-slate-50"}`}>
            {s ?? "all"}
          </Link>
        ))}
      </nav>
      {runs.length === 0 ? <EmptyState title="No runs" detail="Runs appear here when jobs run on schedule or are run now." /> : <RunTable runs={runs} showJob />}
    </>
  );
}
