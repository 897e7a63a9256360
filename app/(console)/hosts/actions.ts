"use server";
// Server actions of the host pages.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { acceptHostKey, createHost, deleteHost, hostFields, hostRules, updateHost } from "@/lib/data/hosts";

const fields = hostFields.extend({ agentId: z.string().transform((v) => (v === "" ? null : v)).pipe(z.string().uuid("Choose an agent").nullable()) });
const form = fields.superRefine(hostRules);

export const createHostAction = defineAction({ roles: ["admin"], schema: form }, async (caller, input, ctx) => {
  const host = await createHost(caller, input, ctx);
  revalidatePath("/hosts");
  redirect(`/hosts/${host.id}`);
});

export const updateHostAction = defineAction({ roles: ["admin"], schema: fields.extend({ id: z.string().uuid() }).superRefine(hostRules) }, async (caller, { id, ...input }, ctx) => {
  await updateHost(caller, id, input, ctx);
  revalidatePath(`/hosts/${id}`);
  return { ok: true, message: "Host saved" };
});

export const deleteHostAction = defineAction({ roles: ["admin"], schema: z.object({ id: z.string().uuid(), confirm: z.string().default("") }) }, async (caller, input, ctx) => {
  await deleteHost(caller, input.id, input.confirm, ctx);
  revalidatePath("/hosts");
  redirect("/hosts");
});

/** Accepts the key a host now presents (admins): it becomes the pinned one and runs may connect again. */
export const acceptHostKeyAction = defineAction({ roles: ["admin"], schema: z.object({ id: z.string().uuid(), fingerprint: z.string().min(1) }) }, async (caller, input, ctx) => {
  const pinned = await acceptHostKey(caller, input.id, input.fingerprint, ctx);
  revalidatePath(`/hosts/${input.id}`);
  return { ok: true, message: `Host key ${pinned} accepted` };
});
