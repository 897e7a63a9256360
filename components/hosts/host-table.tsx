// The fleet table shown on the dashboard and at /hosts: one row per host with its backup health (the most severe of
// its jobs', with how many jobs have it when they differ), and the status filter.
import Link from "next/link";
import type { FleetHost, FleetStatus } from "@/lib/data/fleet";
import { FLEET_STATUSES } from "@/lib/data/fleet";
import { Badge, Table, formatDate } from "@/components/ui";
import { fleetTone, formatAge, formatBytes, formatDuration } from "@/components/runs/format";

export function HostTable({ hosts, now = new Date() }: { hosts: FleetHost[]; now?: Date }) {
  return (
    <Table head={["Host", "Status", "Last success", "Next run", "Repository", "Increments", "Last run", "Agent"]}>
      {hosts.map((h) => (
        <tr key={h.id} data-testid="host-row" data-status={h.status}>
          <td className="px-4 py-2">
            <Link href={`/hosts/${h.id}`} className="font-medium text-brand-600 hover:underline">
              {h.name}
            </Link>
            <div className="text-xs text-slate-500">
              {h.address} · {h.jobCount} {h.jobCount === 1 ? "job" : "jobs"}
            </div>
          </td>
          <td className="px-4 py-2" data-testid="host-status">
            <Badge tone={fleetTone(h.status)}>{h.status}</Badge>
            {h.statusDetail && (
              <div className="text-xs text-slate-500" data-testid="host-status-detail">
                ({h.statusDetail})
              </div>
            )}
          </td>
          <td className="px-4 py-2" title={h.lastSuccessAt ? formatDate(h.lastSuccessAt) : undefined}>
            {formatAge(h.lastSuccessAt, now)}
          </td>
          <td className="px-4 py-2">{h.nextRunAt ? formatDate(h.nextRunAt) : "-"}</td>
          <td className="px-4 py-2">{formatBytes(h.sizeBytes)}</td>
          <td className="px-4 py-2">{h.increments}</td>
          <td className="px-4 py-2">
            {h.lastRun ? (
              <Link href={`/runs?hostId=${h.id}`} className="hover:underline">
                {h.lastRun.status} · {formatDuration(h.lastRun.durationMs)}
              </Link>
            ) : (
              "-"
            )}
          </td>
          <td className="px-4 py-2">{h.agent ?? "none"}</td>
        </tr>
      ))}
    </Table>
  );
}

/** Links that filter the fleet by status, with how many hosts each has. */
export function FleetFilter({ base, counts, current }: { base: string; counts: Record<FleetStatus, number>; current?: FleetStatus }) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const chip = (label: string, href: string, active: boolean) => (
    <Link key={label} href={href} className={`rounded-full border px-3 py-0.5 ${active ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white hover:bg-slate-50"}`}>
      {label}
    </Link>
  );
  return (
    <nav className="mb-4 flex flex-wrap gap-2 text-sm" aria-label="Filter by status" data-testid="fleet-filter">
      {chip(`all (${total})`, base, !current)}
      {FLEET_STATUSES.map((s) => chip(`${s} (${counts[s]})`, `${base}?status=${encodeURIComponent(s)}`, current === s))}
    </nav>
  );
}

/** Hosts per status. */
export function countByStatus(hosts: FleetHost[]): Record<FleetStatus, number> {
  const counts = Object.fromEntries(FLEET_STATUSES.map((s) => [s, 0])) as Record<FleetStatus, number>;
  for (const h of hosts) counts[h.status]++;
  return counts;
}
