import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { pageCaller } from "@/lib/auth/page";
import { hostForNewJob } from "@/lib/data/jobs";
import { AppError } from "@/lib/errors";
import { PageHeader } from "@/components/ui";
import { JobForm } from "@/components/jobs/job-form";
import { NEW_JOB, nextTimes } from "@/components/jobs/job-values";
import { toCron } from "@/lib/schedule";
import { createJobAction, nextFireTimesAction } from "../actions";

export const metadata: Metadata = { title: "New job" };

export default async function NewJobPage({ params }: { params: Promise<{ id: string }> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const host = await hostForNewJob(caller, id).catch((e) => {
    if (e instanceof AppError && e.code === "not_found") notFound();
    if (e instanceof AppError && e.code === "forbidden") forbidden();
    throw e;
  });
  return (
    <>
      <PageHeader title="New job" subtitle={`on ${host.name}`} />
      <JobForm action={createJobAction} hidden={{ hostId: host.id }} values={NEW_JOB} submit="Create job" nextTimes={nextTimes(toCron(NEW_JOB.schedule))} scheduleAction={nextFireTimesAction} />
    </>
  );
}
