import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { listHosts } from "@/lib/data/hosts";
import { EmptyState, PageHeader } from "@/components/ui";
import { HostTable } from "@/components/hosts/host-table";

export const metadata: Metadata = { title: "Dashboard" };

export default async function Dashboard() {
  const caller = await pageCaller();
  const hosts = await listHosts(caller);
  return (
    <>
      <PageHeader title="Dashboard" subtitle={`Hosts you can see: ${hosts.length}`} />
      {hosts.length === 0 ? (
        <EmptyState
          title="No hosts yet"
          detail={caller.role === "admin" ? "Hosts and their backup jobs will appear here once they are set up." : "No host has been assigned to you yet. Ask an administrator."}
        />
      ) : (
        <HostTable hosts={hosts} />
      )}
    </>
  );
}
