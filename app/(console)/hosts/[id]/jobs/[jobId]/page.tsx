import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { pageCaller, orNotFound } from "@/lib/auth/page";
import { canManageJobs, getJob, retentionDryRun } from "@/lib/data/jobs";
import { listJobRuns } from "@/lib/data/runs";
import { Badge, Card, PageHeader } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { JobForm } from "@/components/jobs/job-form";
import { jobFormValues, nextTimes } from "@/components/jobs/job-values";
import { RunTable } from "@/components/runs/run-table";
import { runNowAction } from "../../../../runs/actions";
import { deleteJobAction, nextFireTimesAction, retentionDryRunAction, updateJobAction } from "../actions";

export const metadata: Metadata = { title: "Job" };

export default async function JobPage({ params }: { params: Promise<{ id: string; jobId: string }> }) {
  const caller = await pageCaller();
  const { id, jobId } = await params;
  const job = await orNotFound(getJob(caller, jobId));
  if (job.hostId !== id) notFound();
  if (!canManageJobs(caller)) forbidden();
  const dryRun = await retentionDryRun(caller, job.id, job.retention);
  const runs = await listJobRuns(caller, job.id, 5);
  return (
    <>
      <PageHeader title={job.name} subtitle={`${job.method} job on ${job.host.name} · revision ${job.revision}`} actions={job.enabled ? <Badge tone="green">enabled</Badge> : <Badge>paused</Badge>} />
      <div className="mb-6">
        <Card
          title="Recent runs"
          actions={
            <div className="flex items-center gap-3">
              <Link href={`/hosts/${id}/jobs/${job.id}/runs`} className="text-sm text-brand-600 hover:underline">
                All runs
              </Link>
              <ActionForm action={runNowAction} hidden={{ jobId: job.id }} submit="Run now" variant="primary" testId="run-now-form" />
            </div>
          }
        >
          {runs.length === 0 ? <p className="text-sm text-slate-600">No runs yet.</p> : <RunTable runs={runs} />}
        </Card>
      </div>
      <JobForm
        action={updateJobAction}
        hidden={{ hostId: id, jobId: job.id }}
        values={jobFormValues(job)}
        submit="Save job"
        nextTimes={nextTimes(job.schedule)}
        scheduleAction={nextFireTimesAction}
        dryRunAction={retentionDryRunAction}
        dryRun={dryRun}
      />
      <div className="mt-6 max-w-lg">
        <Card title="Delete">
          <ActionForm action={deleteJobAction} hidden={{ hostId: id, jobId: job.id }} submit="Delete job" variant="danger" testId="delete-job-form">
            <p className="text-sm text-slate-600">Deletes the job. Its repository stays on the agent&apos;s disk and in the catalogue.</p>
          </ActionForm>
        </Card>
      </div>
    </>
  );
}
