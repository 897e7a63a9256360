"use server";
// Server action of the restore form: queue the restore, then open its run (progress and live log).
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { createRestore } from "@/lib/data/restores";
import { restoreRequest } from "@/lib/schemas/restore";

export const restoreAction = defineAction({ schema: restoreRequest.extend({ repositoryId: z.string().uuid() }) }, async (caller, { repositoryId, ...input }, ctx) => {
  const out = await createRestore(caller, repositoryId, input, ctx);
  redirect(out.url);
});
