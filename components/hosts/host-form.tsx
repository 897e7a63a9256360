"use client";
// Host settings form (create and edit) with field errors next to the fields.
import { useActionState } from "react";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, Field, FormMessage, Input, Select } from "@/components/ui";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;
export interface HostValues {
  id?: string;
  name: string;
  address: string;
  sshPort: number;
  sshUser: string;
  agentId: string | null;
  description: string;
}

export function HostForm({ action, agents, values, submit }: { action: Action; agents: { id: string; name: string }[]; values: HostValues; submit: string }) {
  const [state, formAction, pending] = useActionState(action, undefined);
  const fe = state?.fieldErrors ?? {};
  return (
    <form action={formAction} className="max-w-lg space-y-4" data-testid="host-form">
      {values.id && <input type="hidden" name="id" value={values.id} />}
      <FormMessage state={state} />
      <Field label="Name" name="name" errors={fe.name}>
        <Input name="name" defaultValue={values.name} required />
      </Field>
      <Field label="Address" name="address" errors={fe.address} hint='DNS name or IP address; "local" for the agent&apos;s own machine.'>
        <Input name="address" defaultValue={values.address} required />
      </Field>
      <div className="grid grid-cols-2 gap-4">
        <Field label="SSH port" name="sshPort" errors={fe.sshPort}>
          <Input name="sshPort" defaultValue={String(values.sshPort)} inputMode="numeric" />
        </Field>
        <Field label="SSH user" name="sshUser" errors={fe.sshUser}>
          <Input name="sshUser" defaultValue={values.sshUser} />
        </Field>
      </div>
      <Field label="Agent" name="agentId" errors={fe.agentId} hint="The agent that backs this host up and holds its repositories.">
        <Select name="agentId" defaultValue={values.agentId ?? ""}>
          <option value="">None yet</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Description" name="description" errors={fe.description}>
        <Input name="description" defaultValue={values.description} />
      </Field>
      <Button type="submit" disabled={pending}>
        {submit}
      </Button>
    </form>
  );
}
