"use client";
// Host settings form (create and edit) with field errors next to the fields: how the agent reaches the host
// (over SSH, or its own machine read directly), address, SSH port and user, agent.
import { useActionState, useState, startTransition, type FormEvent } from "react";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, Field, FormMessage, Input, Select } from "@/components/ui";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;
export type HostTransport = "ssh" | "local";
export interface HostValues {
  id?: string;
  name: string;
  address: string;
  sshPort: number;
  sshUser: string;
  agentId: string | null;
  description: string;
  transport: HostTransport;
}

export function HostForm({ action, agents, values, submit }: { action: Action; agents: { id: string; name: string }[]; values: HostValues; submit: string }) {
  const [state, formAction, pending] = useActionState(action, undefined);
  const [transport, setTransport] = useState<HostTransport>(values.transport);
  const fe = state?.fieldErrors ?? {};
  const local = transport === "local";
  // Submitting without React's automatic form reset keeps what the user typed when the server reports errors.
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    startTransition(() => formAction(data));
  };
  return (
    <form onSubmit={onSubmit} className="max-w-lg space-y-4" data-testid="host-form">
      {values.id && <input type="hidden" name="id" value={values.id} />}
      <FormMessage state={state} />
      <Field label="Name" name="name" errors={fe.name}>
        <Input name="name" defaultValue={values.name} required />
      </Field>
      <Field label="How the agent reaches it" name="transport" errors={fe.transport}>
        <Select name="transport" value={transport} onChange={(e) => setTransport(e.target.value as HostTransport)}>
          <option value="ssh">SSH host (the agent connects over SSH/SFTP)</option>
          <option value="local">This agent&apos;s own machine (paths read directly)</option>
        </Select>
      </Field>
      {local ? (
        <input type="hidden" name="address" value="local" />
      ) : (
        <>
          <Field label="Address" name="address" errors={fe.address} hint="DNS name or IP address of the host.">
            <Input name="address" defaultValue={values.address === "local" ? "" : values.address} required />
          </Field>
          <div className="grid grid-cols-2 gap-4">
            <Field label="SSH port" name="sshPort" errors={fe.sshPort}>
              <Input name="sshPort" defaultValue={String(values.sshPort)} inputMode="numeric" />
            </Field>
            <Field label="SSH user" name="sshUser" errors={fe.sshUser}>
              <Input name="sshUser" defaultValue={values.sshUser} />
            </Field>
          </div>
        </>
      )}
      {local && (fe.address ?? []).map((e) => <p key={e} className="text-sm text-red-600">{e}</p>)}
      <Field label="Agent" name="agentId" errors={fe.agentId} hint={local ? "The agent whose machine this is." : "The agent that backs this host up and holds its repositories."}>
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
