"use client";
// Form to create a user; a generated password is shown once after creation.
import { useActionState, useState } from "react";
import Link from "next/link";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, Field, FormMessage, Input, Select } from "@/components/ui";
import { RevealOnce } from "@/components/ui/reveal-once";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

export function CreateUserForm({ action, passwordRule }: { action: Action; passwordRule: string }) {
  const [state, formAction, pending] = useActionState(action, undefined);
  const [mode, setMode] = useState("generate");
  if (state?.ok) {
    return (
      <div className="space-y-4">
        <FormMessage state={state} />
        {state.reveal?.password && <RevealOnce label="Initial password" value={state.reveal.password} />}
        <div className="flex gap-3">
          <Link href={`/admin/users/${state.reveal?.userId}`} className="text-sm font-medium text-brand-600 hover:underline">
            Open the user
          </Link>
          <Link href="/admin/users" className="text-sm font-medium text-brand-600 hover:underline">
            Back to users
          </Link>
        </div>
      </div>
    );
  }
  const fe = state?.fieldErrors ?? {};
  return (
    <form action={formAction} className="max-w-md space-y-4">
      <FormMessage state={state} />
      <Field label="Email" name="email" errors={fe.email}>
        <Input name="email" type="email" required />
      </Field>
      <Field label="Name" name="name" errors={fe.name}>
        <Input name="name" required />
      </Field>
      <Field label="Role" name="role" errors={fe.role} hint="Admin: everything. Operator: jobs, runs and restores on assigned hosts. Viewer: browse and download on assigned hosts.">
        <Select name="role" defaultValue="viewer">
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </Select>
      </Field>
      <Field label="Initial password" name="passwordMode">
        <Select name="passwordMode" value={mode} onChange={(e) => setMode(e.target.value)}>
          <option value="generate">Generate a strong password and show it once</option>
          <option value="set">Set it myself</option>
        </Select>
      </Field>
      {mode === "set" && (
        <Field label="Password" name="password" errors={fe.password} hint={passwordRule}>
          <Input name="password" type="password" autoComplete="new-password" />
        </Field>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create user"}
      </Button>
    </form>
  );
}
