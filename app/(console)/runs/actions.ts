"use server";
// Server actions of the runs pages: run a job now (then open its run) and cancel a run.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { cancelRun, runNow } from "@/lib/data/runs";

export const runNowAction = defineAction({ schema: z.object({ jobId: z.string().uuid() }) }, async (caller, { jobId }, ctx) => {
  const run = await runNow(caller, jobId, ctx);
  redirect(`/runs/${run.id}`);
});

export const cancelRunAction = defineAction({ schema: z.object({ runId: z.string().uuid() }) }, async (caller, { runId }, ctx) => {
  const run = await cancelRun(caller, runId, ctx);
  revalidatePath(`/runs/${runId}`);
  return { ok: true, message: run.status === "cancelled" ? "Run cancelled" : "Cancel requested: the agent stops the run within seconds" };
});
