// A table of runs: status, job, trigger, start, duration, sizes; each row opens the run.
import Link from "next/link";
import type { RunView } from "@/lib/data/runs";
import { Badge, Table, formatDate } from "@/components/ui";
import { formatBytes, formatDuration, runTone } from "./format";

export function RunStatusBadge({ status }: { status: string }) {
  return (
    <span data-testid="run-status">
      <Badge tone={runTone(status)}>{status}</Badge>
    </span>
  );
}

function statsSummary(r: RunView): string {
  const s = r.stats ?? {};
  const parts: string[] = [];
  if (s.sourceFiles !== undefined) parts.push(`${s.sourceFiles} files`);
  if (s.changedFiles !== undefined || s.newFiles !== undefined) parts.push(`${(s.changedFiles ?? 0) + (s.newFiles ?? 0)} changed`);
  if (s.incrementBytes !== undefined) parts.push(`+${formatBytes(s.incrementBytes)}`);
  if (s.restoredFiles !== undefined) parts.push(`${s.restoredFiles} files restored (${formatBytes(s.restoredBytes)})`);
  if (s.errors) parts.push(`${s.errors} errors`);
  return parts.join(" · ") || "-";
}

export function RunTable({ runs, showJob = false }: { runs: RunView[]; showJob?: boolean }) {
  return (
    <Table head={["Status", ...(showJob ? ["Job"] : []), "Trigger", "Started", "Duration", "Result"]}>
      {runs.map((r) => (
        <tr key={r.id} data-testid="run-row">
          <td className="px-4 py-2">
            <Link href={`/runs/${r.id}`} className="hover:underline" aria-label={`Run ${r.status} ${r.id}`}>
              <RunStatusBadge status={r.status} />
            </Link>
          </td>
          {showJob && (
            <td className="px-4 py-2">
              {r.job ? (
                <Link href={`/hosts/${r.job.host.id}/jobs/${r.job.id}/runs`} className="text-brand-600 hover:underline">
                  {r.job.host.name}/{r.job.name}
                </Link>
              ) : (
                r.type
              )}
            </td>
          )}
          <td className="px-4 py-2">{r.trigger}</td>
          <td className="px-4 py-2">{formatDate(r.startedAt ?? r.queuedAt)}</td>
          <td className="px-4 py-2">{r.final || r.status === "running" ? formatDuration(r.durationMs) : "-"}</td>
          <td className="px-4 py-2 text-slate-600">{r.reason ? <span title={r.reason}>{r.reason.slice(0, 80)}</span> : statsSummary(r)}</td>
        </tr>
      ))}
    </Table>
  );
}
