"use server";
// Server actions of the account pages: own password, own API tokens.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { changeOwnPassword } from "@/lib/data/users";
import { createToken, revokeToken } from "@/lib/data/tokens";

export const changePasswordAction = defineAction(
  {
    schema: z
      .object({ current: z.string().min(1, "Enter your current password"), password: z.string(), confirm: z.string() })
      .refine((v) => v.password === v.confirm, { message: "The two new passwords differ", path: ["confirm"] }),
  },
  async (caller, input, ctx) => {
    await changeOwnPassword(caller, input.current, input.password, ctx);
    return { ok: true, message: "Password changed. Your sessions have ended: sign in again with the new password." };
  },
);

export const createTokenAction = defineAction(
  {
    schema: z.object({
      name: z.string().trim().min(1, "Name the token").max(100),
      expiresAt: z
        .string()
        .optional()
        .transform((s, ctx) => {
          if (!s) return null;
          const d = new Date(`${s}T23:59:59Z`);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || isNaN(d.getTime())) {
            ctx.addIssue({ code: "custom", message: "Enter a date as YYYY-MM-DD" });
            return z.NEVER;
          }
          return d;
        }),
    }),
  },
  async (caller, input, ctx) => {
    const token = await createToken(caller, input, ctx);
    revalidatePath("/account/tokens");
    return { ok: true, message: `Token "${input.name}" created. Use it as: Authorization: Bearer <token>`, reveal: { token } };
  },
);

export const revokeTokenAction = defineAction({ schema: z.object({ id: z.string().uuid() }) }, async (caller, input, ctx) => {
  await revokeToken(caller, input.id, ctx);
  revalidatePath("/account/tokens");
  return { ok: true, message: "Token revoked" };
});
