// The hosts table shown on the dashboard and at /hosts.
import Link from "next/link";
import { Table } from "@/components/ui";

export interface HostRow {
  id: string;
  name: string;
  address: string;
  agent: { name: string } | null;
  _count: { jobs: number; repositories: number };
}

export function HostTable({ hosts }: { hosts: HostRow[] }) {
  return (
    <Table head={["Host", "Address", "Agent", "Jobs", "Repositories"]}>
      {hosts.map((h) => (
        <tr key={h.id} data-testid="host-row">
          <td className="px-4 py-2">
            <Link href={`/hosts/${h.id}`} className="font-medium text-brand-600 hover:underline">
              {h.name}
            </Link>
          </td>
          <td className="px-4 py-2">{h.address}</td>
          <td className="px-4 py-2">{h.agent?.name ?? "none"}</td>
          <td className="px-4 py-2">{h._count.jobs}</td>
          <td className="px-4 py-2">{h._count.repositories}</td>
        </tr>
      ))}
    </Table>
  );
}
