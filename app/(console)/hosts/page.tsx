import type { Metadata } from "next";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/page";
import { listHosts } from "@/lib/data/hosts";
import { EmptyState, PageHeader } from "@/components/ui";
import { HostTable } from "@/components/hosts/host-table";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  const caller = await pageCaller();
  const hosts = await listHosts(caller);
  return (
    <>
      <PageHeader
        title="Hosts"
        subtitle="Machines whose data is backed up."
        actions={
          caller.role === "admin" && (
            <Link href="/hosts/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
              New host
            </Link>
          )
        }
      />
      {hosts.length === 0 ? (
        <EmptyState title="No hosts yet" detail={caller.role === "admin" ? "Add a host, then its backup jobs." : "No host has been assigned to you yet."} />
      ) : (
        <HostTable hosts={hosts} />
      )}
    </>
  );
}
