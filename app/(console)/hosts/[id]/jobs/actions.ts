"use server";
// Server actions of the job pages: create, save, delete, and the form's live helpers (next fire times, retention dry run).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction, type ActionState } from "@/lib/actions/define-action";
import { createJob, deleteJob, retentionDryRun, updateJob } from "@/lib/data/jobs";
import { nextFireTimes, scheduleInput, toCron } from "@/lib/schedule";
import { formToJobInput, formToRetention, formToSchedule } from "./form-input";

const formFields = z.record(z.string(), z.unknown());
const ids = { hostId: z.string().uuid(), jobId: z.string().uuid() };

export const createJobAction = defineAction({ schema: formFields.and(z.object({ hostId: ids.hostId })) }, async (caller, form, ctx) => {
  await createJob(caller, form.hostId, formToJobInput(form), ctx);
  revalidatePath(`/hosts/${form.hostId}`);
  redirect(`/hosts/${form.hostId}`);
});

export const updateJobAction = defineAction({ schema: formFields.and(z.object(ids)) }, async (caller, form, ctx) => {
  const job = await updateJob(caller, form.jobId, formToJobInput(form), ctx);
  revalidatePath(`/hosts/${form.hostId}`);
  revalidatePath(`/hosts/${form.hostId}/jobs/${form.jobId}`);
  return { ok: true, message: `Job saved (revision ${job?.revision})` };
});

export const deleteJobAction = defineAction({ schema: z.object(ids) }, async (caller, { hostId, jobId }, ctx) => {
  await deleteJob(caller, jobId, ctx);
  revalidatePath(`/hosts/${hostId}`);
  redirect(`/hosts/${hostId}`);
});

/** The form's next-fire-times refresh: `times` (ISO) or a message. */
export type ScheduleState = ActionState & { times?: string[] };

export const nextFireTimesAction = defineAction({ schema: formFields }, async (_caller, form) => {
  const parsed = scheduleInput.safeParse(formToSchedule(form));
  if (!parsed.success) return { message: parsed.error.issues[0]?.message ?? "Check the schedule" };
  let state: ScheduleState;
  try {
    state = { ok: true, times: nextFireTimes(toCron(parsed.data), 5).map((d) => d.toISOString()) };
  } catch (err) {
    state = { message: (err as Error).message };
  }
  return state;
});

/** The retention dry run: which increments of the job's repository the policy in the form would remove. */
export type DryRunState = ActionState & { dryRun?: Awaited<ReturnType<typeof retentionDryRun>> };

export const retentionDryRunAction = defineAction({ schema: formFields.and(z.object({ jobId: ids.jobId })) }, async (caller, form) => {
  const state: DryRunState = { ok: true, dryRun: await retentionDryRun(caller, form.jobId, formToRetention(form)) };
  return state;
});
