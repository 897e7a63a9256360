"use client";
// A small form bound to one server action, showing its message, field errors and any one-time secret.
import { useActionState } from "react";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, FormMessage } from "@/components/ui";
import { RevealOnce } from "@/components/ui/reveal-once";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

export function ActionForm({
  action,
  hidden,
  submit,
  variant = "secondary",
  children,
  testId,
}: {
  action: Action;
  hidden?: Record<string, string>;
  submit: string;
  variant?: "primary" | "secondary" | "danger";
  children?: React.ReactNode;
  testId?: string;
}) {
  const [state, formAction, pending] = useActionState(action, undefined);
  return (
    <form action={formAction} className="space-y-3" data-testid={testId}>
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {children}
      <Button type="submit" variant={variant} disabled={pending}>
        {submit}
      </Button>
      <FormMessage state={state} />
      {Object.entries(state?.fieldErrors ?? {}).flatMap(([field, errs]) =>
        errs.map((e) => (
          <p key={field + e} className="text-sm text-red-600" data-testid={`error-${field}`}>
            {e}
          </p>
        )),
      )}
      {state?.reveal?.password && <RevealOnce label="New password" value={state.reveal.password} />}
      {state?.reveal?.token && <RevealOnce label="Token" value={state.reveal.token} />}
    </form>
  );
}
