import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { pageCaller, orNotFound } from "@/lib/auth/page";
import { getJob } from "@/lib/data/jobs";
import { canRunJobs, listJobRuns } from "@/lib/data/runs";
import { EmptyState, PageHeader } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { RunTable } from "@/components/runs/run-table";
import { runNowAction } from "../../../../../runs/actions";

export const metadata: Metadata = { title: "Runs" };

export default async function JobRunsPage({ params }: { params: Promise<{ id: string; jobId: string }> }) {
  const caller = await pageCaller();
  const { id, jobId } = await params;
  const job = await orNotFound(getJob(caller, jobId));
  if (job.hostId !== id) notFound();
  const runs = await listJobRuns(caller, job.id, 200);
  const manage = canRunJobs(caller);
  return (
    <>
      <PageHeader
        title={`Runs of ${job.host.name}/${job.name}`}
        subtitle={`${job.method} job · schedule ${job.schedule}`}
        actions={
          <div className="flex items-center gap-3">
            {manage && (
              <Link href={`/hosts/${id}/jobs/${job.id}`} className="text-sm text-brand-600 hover:underline">
                Job settings
              </Link>
            )}
            {manage && <ActionForm action={runNowAction} hidden={{ jobId: job.id }} submit="Run now" variant="primary" testId="run-now-form" />}
          </div>
        }
      />
      {runs.length === 0 ? <EmptyState title="No runs yet" detail="Runs appear here when the job runs on schedule or is run now." /> : <RunTable runs={runs} />}
    </>
  );
}
