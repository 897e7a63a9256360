import type { Metadata } from "next";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/page";
import { FLEET_STATUSES, fleetHosts, type FleetStatus } from "@/lib/data/fleet";
import { EmptyState, PageHeader } from "@/components/ui";
import { FleetFilter, HostTable, countByStatus } from "@/components/hosts/host-table";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  const caller = await pageCaller();
  const q = await searchParams;
  const status = FLEET_STATUSES.find((s) => s === q.status) as FleetStatus | undefined;
  const now = new Date();
  const all = await fleetHosts(caller, { now });
  const hosts = status ? all.filter((h) => h.status === status) : all;
  return (
    <>
      <PageHeader
        title="Hosts"
        subtitle="Machines whose data is backed up, and how their backups are doing."
        actions={
          caller.role === "admin" && (
            <Link href="/hosts/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
              New host
            </Link>
          )
        }
      />
      {all.length === 0 ? (
        <EmptyState title="No hosts yet" detail={caller.role === "admin" ? "Add a host, then its backup jobs." : "No host has been assigned to you yet."} />
      ) : (
        <>
          <FleetFilter base="/hosts" counts={countByStatus(all)} current={status} />
          {hosts.length === 0 ? <EmptyState title={`No host is ${status}`} /> : <HostTable hosts={hosts} now={now} />}
        </>
      )}
    </>
  );
}
