import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { listHosts } from "@/lib/data/hosts";
import { EmptyState, PageHeader, Table } from "@/components/ui";

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
        <Table head={["Host", "Address", "Agent", "Jobs", "Repositories"]}>
          {hosts.map((h) => (
            <tr key={h.id}>
              <td className="px-4 py-2 font-medium">{h.name}</td>
              <td className="px-4 py-2">{h.address}</td>
              <td className="px-4 py-2">{h.agent?.name ?? "none"}</td>
              <td className="px-4 py-2">{h._count.jobs}</td>
              <td className="px-4 py-2">{h._count.repositories}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
