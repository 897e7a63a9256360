import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { FLEET_STATUSES, fleetHosts, type FleetStatus } from "@/lib/data/fleet";
import { listRuns } from "@/lib/data/runs";
import { Card, EmptyState, PageHeader } from "@/components/ui";
import { FleetFilter, HostTable, countByStatus } from "@/components/hosts/host-table";
import { RunTable } from "@/components/runs/run-table";

export const metadata: Metadata = { title: "Dashboard" };

export default async function Dashboard({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  const caller = await pageCaller();
  const q = await searchParams;
  const status = FLEET_STATUSES.find((s) => s === q.status) as FleetStatus | undefined;
  const now = new Date();
  const all = await fleetHosts(caller, { now });
  const counts = countByStatus(all);
  const attention = counts.failing + counts.overdue;
  const hosts = status ? all.filter((h) => h.status === status) : all;
  const failures = await listRuns(caller, { status: "failed", limit: 5 });
  return (
    <>
      <PageHeader title="Dashboard" subtitle={`Hosts you can see: ${all.length}${attention ? ` · ${attention} need attention` : ""}`} />
      {all.length === 0 ? (
        <EmptyState
          title="No hosts yet"
          detail={caller.role === "admin" ? "Hosts and their backup jobs will appear here once they are set up." : "No host has been assigned to you yet. Ask an administrator."}
        />
      ) : (
        <>
          <FleetFilter base="/" counts={counts} current={status} />
          {hosts.length === 0 ? <EmptyState title={`No host is ${status}`} /> : <HostTable hosts={hosts} now={now} />}
          {failures.length > 0 && (
            <div className="mt-6">
              <Card title="Recent failed runs">
                <RunTable runs={failures} showJob />
              </Card>
            </div>
          )}
        </>
      )}
    </>
  );
}
