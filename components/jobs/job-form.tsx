"use client";
// The per-host job setup form (create and edit): every field with its server-side error next to it.
import { useActionState, useRef, useState, startTransition, type FormEvent } from "react";
import type { ActionState } from "@/lib/actions/define-action";
import type { ScheduleInput } from "@/lib/schedule";
import type { RetentionPolicy } from "@/lib/retention";
import { AVAILABLE_METHODS, FILE_METHODS, JOB_METHODS, METHOD_LABELS, type JobMethod, type NotifySettings } from "@/lib/schemas/job";
import { Button, Card, Field, FormMessage, Input, Select } from "@/components/ui";
import { Checkbox, Errors, Textarea, joinLines } from "./fields";
import { ScheduleFields } from "./schedule-fields";
import { RetentionFields, type DryRun } from "./retention-fields";
import { MethodOptions } from "./method-options";
import { SelectionPreview, TestConnection } from "./host-checks";

type Action<S = object> = (prev: ActionState | undefined, form: FormData) => Promise<ActionState & S>;

/** What the form starts from: a stored job (never its secrets) or the defaults of a new one. */
export interface JobFormValues {
  name: string;
  method: JobMethod;
  enabled: boolean;
  sources: string[];
  includes: string[];
  excludes: string[];
  schedule: ScheduleInput;
  retention: RetentionPolicy;
  options: Record<string, unknown>;
  preCommand: string | null;
  postCommand: string | null;
  notify: Partial<NotifySettings>;
  overdueAfterHours: number;
  runMissed: boolean;
  hasPassword: boolean;
}

export interface JobFormProps {
  action: Action;
  hidden: Record<string, string>;
  values: JobFormValues;
  submit: string;
  nextTimes: string[];
  scheduleAction: Action<{ times?: string[] }>;
  dryRunAction?: Action<{ dryRun?: DryRun }>;
  dryRun?: DryRun;
}

export function JobForm({ action, hidden, values: v, submit, nextTimes, scheduleAction, dryRunAction, dryRun }: JobFormProps) {
  const [state, formAction, pending] = useActionState(action, undefined);
  const [method, setMethod] = useState<JobMethod>(v.method);
  const ref = useRef<HTMLFormElement>(null);
  const fe = state?.fieldErrors ?? {};
  const files = FILE_METHODS.includes(method);
  // Submitting without React's automatic form reset keeps what the user typed when the server reports errors.
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    startTransition(() => formAction(data));
  };
  return (
    <form ref={ref} onSubmit={onSubmit} className="space-y-6" data-testid="job-form">
      {Object.entries(hidden).map(([k, val]) => (
        <input key={k} type="hidden" name={k} value={val} />
      ))}
      <FormMessage state={state} />
      <Card title="Job">
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Name" name="name" errors={fe.name}>
            <Input name="name" defaultValue={v.name} required />
          </Field>
          <Field label="Method" name="method" errors={fe.method}>
            <Select name="method" value={method} onChange={(e) => setMethod(e.target.value as JobMethod)}>
              {JOB_METHODS.map((m) => (
                <option key={m} value={m} disabled={!AVAILABLE_METHODS.includes(m)}>
                  {METHOD_LABELS[m]}
                  {AVAILABLE_METHODS.includes(m) ? "" : " (not yet available)"}
                </option>
              ))}
            </Select>
          </Field>
          <Checkbox name="enabled" label="Enabled (scheduled runs fire)" defaultChecked={v.enabled} />
        </div>
      </Card>
      <Card title={method === "svn" ? "Repositories" : "What to back up"}>
        {files ? (
          <div className="space-y-4">
            <Field label="Source paths (one per line, absolute)" name="sources" errors={fe.sources}>
              <Textarea name="sources" defaultValue={joinLines(v.sources)} placeholder="/etc&#10;/var/www" />
            </Field>
            <div className="grid gap-4 md:grid-cols-2">
              {method === "mirror" && (
                <Field label="Include (one glob per line)" name="includes" errors={fe.includes} hint="rdiff-backup globs; when set, only these are backed up">
                  <Textarea name="includes" defaultValue={joinLines(v.includes)} />
                </Field>
              )}
              <Field label="Exclude (one glob per line)" name="excludes" errors={fe.excludes} hint="Applied before the includes; first match wins">
                <Textarea name="excludes" defaultValue={joinLines(v.excludes)} />
              </Field>
            </div>
            <SelectionPreview formRef={ref} />
          </div>
        ) : (
          <p className="text-sm text-slate-500">This method backs up what its options below name; it reads no source paths.</p>
        )}
      </Card>
      <Card title="Connection">
        <TestConnection formRef={ref} />
      </Card>
      <Card title="Method options">
        <MethodOptions method={method} options={v.options} errors={fe} hasPassword={v.hasPassword} />
      </Card>
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Schedule">
          <ScheduleFields value={v.schedule} times={nextTimes} errors={fe} action={scheduleAction} formRef={ref} />
          <div className="mt-4 space-y-3">
            <Checkbox name="runMissed" label="Run a missed run once when the agent starts" defaultChecked={v.runMissed} />
            <Field label="Overdue after (hours without a success)" name="overdueAfterHours" errors={fe.overdueAfterHours}>
              <Input name="overdueAfterHours" defaultValue={String(v.overdueAfterHours)} inputMode="numeric" />
            </Field>
          </div>
        </Card>
        <Card title="Retention">
          <RetentionFields value={v.retention} errors={fe} dryRun={dryRun} action={dryRunAction} formRef={ref} />
        </Card>
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Commands">
          <div className="space-y-4">
            <Field label="Pre-command" name="preCommand" errors={fe.preCommand} hint="Runs on the host first; a non-zero exit aborts the run">
              <Input name="preCommand" defaultValue={v.preCommand ?? ""} className="font-mono" />
            </Field>
            <Field label="Post-command" name="postCommand" errors={fe.postCommand} hint="Runs last; gets the run's status in STRATA_RUN_STATUS">
              <Input name="postCommand" defaultValue={v.postCommand ?? ""} className="font-mono" />
            </Field>
          </div>
        </Card>
        <Card title="Notifications">
          <div className="space-y-4">
            <Field label="Email addresses (one per line)" name="notify.emails" errors={fe["notify.emails"]}>
              <Textarea name="notify.emails" defaultValue={joinLines(v.notify.emails)} />
            </Field>
            <Field label="Webhook URL" name="notify.webhook" errors={fe["notify.webhook"]} hint="Receives a JSON POST per event">
              <Input name="notify.webhook" defaultValue={v.notify.webhook ?? ""} />
            </Field>
            <div className="flex flex-wrap gap-4">
              <Checkbox name="notify.onFailure" label="On failure" defaultChecked={v.notify.onFailure ?? true} />
              <Checkbox name="notify.onSuccess" label="On success" defaultChecked={v.notify.onSuccess ?? false} />
              <Checkbox name="notify.onOverdue" label="When overdue" defaultChecked={v.notify.onOverdue ?? true} />
            </div>
            <Errors name="notify" errors={fe.notify} />
          </div>
        </Card>
      </div>
      <Errors name="form" errors={fe.form} />
      <Button type="submit" disabled={pending}>
        {submit}
      </Button>
    </form>
  );
}
