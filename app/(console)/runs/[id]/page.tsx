import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { pageCaller, orNotFound } from "@/lib/auth/page";
import { canRunJobs, getRun, queuedRunAgent } from "@/lib/data/runs";
import { Card, PageHeader, formatDate } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { LiveLog } from "@/components/runs/live-log";
import { RunStatusBadge } from "@/components/runs/run-table";
import { DeletedJobNote, WaitingNote } from "@/components/runs/waiting-note";
import { formatBytes, formatDuration } from "@/components/runs/format";
import { restoreParams } from "@/lib/schemas/agent-protocol";
import { atParam, browseHref } from "@/components/browse/urls";
import { cancelRunAction } from "../actions";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const run = await orNotFound(getRun(caller, id));
  const waitingFor = run.status === "queued" ? await queuedRunAgent(run.id) : null;
  const title = run.job ? `${run.job.host.name}/${run.job.name}` : `${run.type} run`;
  const s = run.stats ?? {};
  const restore = run.type === "restore" ? restoreParams.safeParse(run.params) : null;
  const facts: [string, string][] = [
    ["Type", run.type],
    ["Trigger", run.trigger],
    ["Queued", formatDate(run.queuedAt)],
    ["Started", formatDate(run.startedAt)],
    ["Finished", run.finishedAt ? formatDate(run.finishedAt) : "-"],
    ["Duration", formatDuration(run.durationMs)],
    ...(s.sourceFiles !== undefined ? ([["Files", `${s.sourceFiles} (${formatBytes(s.sourceBytes)})`]] as [string, string][]) : []),
    ...(s.changedFiles !== undefined || s.newFiles !== undefined ? ([["Changed / new / deleted", `${s.changedFiles ?? 0} / ${s.newFiles ?? 0} / ${s.deletedFiles ?? 0}`]] as [string, string][]) : []),
    ...(s.incrementBytes !== undefined ? ([["Increment size", formatBytes(s.incrementBytes)]] as [string, string][]) : []),
    ...(s.errors ? ([["Errors", String(s.errors)]] as [string, string][]) : []),
    ...(s.removedIncrements ? ([["Increments removed", String(s.removedIncrements)]] as [string, string][]) : []),
    ...(restore?.success
      ? ([
          ["Restored", `${restore.data.path || "/"} as of ${formatDate(new Date(restore.data.at * 1000))}`],
          ["To", `${restore.data.target}${restore.data.overwrite ? " (overwrite)" : ""}`],
        ] as [string, string][])
      : []),
    ...(s.restoredFiles !== undefined ? ([["Restored files", `${s.restoredFiles} (${formatBytes(s.restoredBytes)})`]] as [string, string][]) : []),
    ...(run.incrementTime ? ([["Increment", formatDate(run.incrementTime)]] as [string, string][]) : []),
  ];
  const log = run.log ? run.log.split("\n").slice(0, -1) : [];
  return (
    <>
      <PageHeader
        title={title}
        subtitle={`Run ${run.id}`}
        actions={
          <div className="flex items-center gap-3">
            <RunStatusBadge status={run.status} />
            {run.repositoryId && run.incrementTime && (
              <Link href={browseHref(run.repositoryId, "", { at: atParam(run.incrementTime) })} className="text-sm text-brand-600 hover:underline" data-testid="run-browse">
                Browse this increment
              </Link>
            )}
            {run.job && (
              <Link href={`/hosts/${run.job.host.id}/jobs/${run.job.id}/runs`} className="text-sm text-brand-600 hover:underline">
                All runs of this job
              </Link>
            )}
          </div>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Details">
          <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-sm" data-testid="run-facts">
            {facts.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-500">{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {run.reason && (
            <p className="mt-3 rounded-md bg-slate-50 px-3 py-2 text-sm" data-testid="run-reason">
              {run.reason}
            </p>
          )}
          {waitingFor && <WaitingNote agent={waitingFor} />}
          {!run.job && run.type === "backup" && <DeletedJobNote />}
          {!run.final && canRunJobs(caller) && (
            <div className="mt-4 space-y-2">
              {run.cancelRequestedAt && <p className="text-sm text-amber-700">Cancel requested {formatDate(run.cancelRequestedAt)}</p>}
              <ActionForm action={cancelRunAction} hidden={{ runId: run.id }} submit="Cancel run" variant="danger" testId="cancel-run-form" />
            </div>
          )}
        </Card>
        <div className="lg:col-span-2">
          <Card title="Log">
            <LiveLog runId={run.id} initialLines={log} final={run.final} initial={{ status: run.status, progress: run.progress, droppedLogLines: run.droppedLogLines }} />
          </Card>
        </div>
      </div>
    </>
  );
}
