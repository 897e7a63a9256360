"use server";
// Server actions of the host pages.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { createHost, deleteHost, hostInput, updateHost } from "@/lib/data/hosts";

const form = hostInput.extend({ agentId: z.string().transform((v) => (v === "" ? null : v)).pipe(z.string().uuid("Choose an agent").nullable()) });

export const createHostAction = defineAction({ roles: ["admin"], schema: form }, async (caller, input, ctx) => {
  const host = await createHost(caller, input, ctx);
  revalidatePath("/hosts");
  redirect(`/hosts/${host.id}`);
});

export const updateHostAction = defineAction({ roles: ["admin"], schema: form.extend({ id: z.string().uuid() }) }, async (caller, { id, ...input }, ctx) => {
  await updateHost(caller, id, input, ctx);
  revalidatePath(`/hosts/${id}`);
  return { ok: true, message: "Host saved" };
});

export const deleteHostAction = defineAction({ roles: ["admin"], schema: z.object({ id: z.string().uuid(), confirm: z.string().default("") }) }, async (caller, input, ctx) => {
  await deleteHost(caller, input.id, input.confirm, ctx);
  revalidatePath("/hosts");
  redirect("/hosts");
});
