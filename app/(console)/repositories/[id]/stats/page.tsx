import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { incrementStats } from "@/lib/data/catalogue";
import { EmptyState, Table, formatDate } from "@/components/ui";
import { RepoHeader } from "@/components/browse/repo-header";
import { BarChart } from "@/components/browse/bar-chart";
import { formatBytes } from "@/lib/preview/format";
import { repositoryOr404 } from "../repository";

export const metadata: Metadata = { title: "Statistics" };

export default async function StatsPage({ params }: { params: Promise<{ id: string }> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const repo = await repositoryOr404(caller, id);
  const stats = await incrementStats(caller, id);
  const times = stats.map((s) => s.time);
  const count = (n: number) => (n >= 10000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));
  return (
    <>
      <RepoHeader repo={repo} active="stats" />
      {stats.length === 0 ? (
        <EmptyState title="No increment yet" />
      ) : (
        <div className="space-y-4">
          <BarChart title="Size of the tree" times={times} series={[{ label: "Tree size", colour: "#1d5fbf", values: stats.map((s) => s.treeBytes) }]} format={formatBytes} />
          <BarChart title="Space each increment adds" times={times} series={[{ label: "Increment size", colour: "#64748b", values: stats.map((s) => s.sizeBytes) }]} format={formatBytes} />
          <BarChart
            title="Files changed"
            times={times}
            series={[
              { label: "New", colour: "#2563eb", values: stats.map((s) => s.newCount) },
              { label: "Changed", colour: "#16a34a", values: stats.map((s) => s.changedCount) },
              { label: "Deleted", colour: "#dc2626", values: stats.map((s) => s.deletedCount) },
            ]}
            format={count}
          />
          <Table head={["Increment", "Tree size", "Increment size", "Cumulative", "Files", "New", "Changed", "Deleted"]}>
            {[...stats].reverse().map((s) => (
              <tr key={s.time.getTime()} className="tabular-nums">
                <td className="px-4 py-1.5">{formatDate(s.time)}</td>
                <td className="px-4 py-1.5">{formatBytes(s.treeBytes)}</td>
                <td className="px-4 py-1.5">{formatBytes(s.sizeBytes)}</td>
                <td className="px-4 py-1.5">{formatBytes(s.cumulativeSizeBytes)}</td>
                <td className="px-4 py-1.5">{s.fileCount}</td>
                <td className="px-4 py-1.5">{s.newCount}</td>
                <td className="px-4 py-1.5">{s.changedCount}</td>
                <td className="px-4 py-1.5">{s.deletedCount}</td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </>
  );
}
