// The one wrapper every Server Action goes through: authenticate, authorize, zod-parse, map expected failures.
import { headers } from "next/headers";
import { z } from "zod";
import { sessionCaller, requireRole, type Caller } from "@/lib/auth/caller";
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";
import type { Ctx } from "@/lib/data/users";

/** What a form shows after submitting: a message and errors per field. */
export interface ActionState {
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** Values shown once (a generated password, a new token). */
  reveal?: Record<string, string | undefined>;
}

/** Turns FormData into a plain object; repeated keys become arrays; `$ACTION_*` keys are dropped. */
export function formToObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const all = form.getAll(key).map((v) => (typeof v === "string" ? v : v.name));
    out[key] = all.length > 1 || key.endsWith("[]") ? all : all[0];
  }
  return out;
}

/** The request's client address, for the audit log. */
export async function requestIp(): Promise<string | null> {
  const h = await headers();
  return h.get("x-forwarded-for")?.split(",")[0].trim() || h.get("x-real-ip") || null;
}

/** Builds a form action `(prev, formData) => ActionState` that runs `fn` for an authorised caller. */
export function defineAction<S extends z.ZodType>(
  opts: { schema: S; roles?: Role[] },
  fn: (caller: Caller, input: z.infer<S>, ctx: Ctx) => Promise<ActionState | void>,
) {
  return async (_prev: ActionState | undefined, form: FormData): Promise<ActionState> => {
    const caller = await sessionCaller();
    if (!caller) return { message: "Your session has ended: sign in again" };
    const parsed = opts.schema.safeParse(formToObject(form));
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0] ?? "form")] ??= []).push(issue.message);
      return { message: "Check the highlighted fields", fieldErrors };
    }
    try {
      if (opts.roles) requireRole(caller, ...opts.roles);
      return (await fn(caller, parsed.data, { ip: await requestIp() })) ?? { ok: true };
    } catch (err) {
      if (err instanceof AppError) return { message: err.message, fieldErrors: err.fieldErrors };
      throw err;
    }
  };
}
