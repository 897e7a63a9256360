"use server";
// Server actions of the user administration pages; each goes through defineAction.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { generatePassword } from "@/lib/auth/password";
import { assignHosts, changeRole, createUser, deleteUser, resetPassword, setDisabled } from "@/lib/data/users";

const role = z.enum(["admin", "operator", "viewer"], { message: "Choose admin, operator or viewer" });
const id = z.string().uuid("Unknown user");

export const createUserAction = defineAction(
  {
    roles: ["admin"],
    schema: z.object({
      email: z.string().trim().email("Enter a valid email address").max(254),
      name: z.string().trim().min(1, "Enter a name").max(100),
      role,
      passwordMode: z.enum(["generate", "set"]).default("generate"),
      password: z.string().optional(),
    }),
  },
  async (caller, input, ctx) => {
    const password = input.passwordMode === "set" ? (input.password ?? "") : generatePassword();
    const user = await createUser(caller, { ...input, password }, ctx);
    revalidatePath("/admin/users");
    return {
      ok: true,
      message: `User "${user.email}" created`,
      reveal: input.passwordMode === "generate" ? { password, userId: user.id } : { userId: user.id },
    };
  },
);

export const changeRoleAction = defineAction({ roles: ["admin"], schema: z.object({ id, role }) }, async (caller, input, ctx) => {
  await changeRole(caller, input.id, input.role, ctx);
  revalidatePath(`/admin/users/${input.id}`);
  return { ok: true, message: `Role changed to ${input.role}` };
});

export const setDisabledAction = defineAction(
  { roles: ["admin"], schema: z.object({ id, disabled: z.enum(["true", "false"]).transform((v) => v === "true") }) },
  async (caller, input, ctx) => {
    await setDisabled(caller, input.id, input.disabled, ctx);
    revalidatePath(`/admin/users/${input.id}`);
    return { ok: true, message: input.disabled ? "User disabled: their sessions and tokens no longer work" : "User enabled" };
  },
);

export const resetPasswordAction = defineAction(
  { roles: ["admin"], schema: z.object({ id, passwordMode: z.enum(["generate", "set"]).default("generate"), password: z.string().optional() }) },
  async (caller, input, ctx) => {
    const password = input.passwordMode === "set" ? (input.password ?? "") : generatePassword();
    await resetPassword(caller, input.id, password, ctx);
    return { ok: true, message: "Password reset: the user's sessions ended", reveal: input.passwordMode === "generate" ? { password } : undefined };
  },
);

export const deleteUserAction = defineAction({ roles: ["admin"], schema: z.object({ id, confirm: z.string().default("") }) }, async (caller, input, ctx) => {
  await deleteUser(caller, input.id, input.confirm, ctx);
  revalidatePath("/admin/users");
  redirect("/admin/users");
});

export const assignHostsAction = defineAction(
  { roles: ["admin"], schema: z.object({ id, hosts: z.union([z.string(), z.array(z.string())]).optional() }) },
  async (caller, input, ctx) => {
    const hostIds = input.hosts === undefined ? [] : Array.isArray(input.hosts) ? input.hosts : [input.hosts];
    await assignHosts(caller, input.id, hostIds.filter(Boolean), ctx);
    revalidatePath(`/admin/users/${input.id}`);
    return { ok: true, message: `Hosts assigned: ${hostIds.length}` };
  },
);
