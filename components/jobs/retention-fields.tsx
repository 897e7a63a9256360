"use client";
// Retention part of the job form, with the dry run over the job's existing increments (nothing is deleted).
import { useActionState, startTransition, type RefObject } from "react";
import type { RetentionPolicy } from "@/lib/retention";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, Field, Input, formatDate } from "@/components/ui";
import { Errors } from "./fields";

export interface DryRun {
  rows: { time: Date; keep: boolean; reasons: string[] }[];
  removeCount: number;
  keepCount: number;
  warning: string | null;
}
type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState & { dryRun?: DryRun }>;

const counts: [keyof RetentionPolicy, string][] = [
  ["keepLast", "Keep last N"],
  ["keepDaily", "Keep daily"],
  ["keepWeekly", "Keep weekly"],
  ["keepMonthly", "Keep monthly"],
];

export function RetentionFields({ value, errors, dryRun, action, formRef }: { value: RetentionPolicy; errors: Record<string, string[]>; dryRun?: DryRun; action?: Action; formRef: RefObject<HTMLFormElement | null> }) {
  const noop: Action = async () => ({});
  const [state, run, pending] = useActionState(action ?? noop, undefined);
  const shown = state?.dryRun ?? dryRun;
  const start = () =>
    startTransition(() => {
      if (formRef.current) run(new FormData(formRef.current));
    });
  return (
    <div className="space-y-3" data-testid="retention-fields">
      <Field label="Remove increments older than" name="retention.olderThan" errors={errors["retention.olderThan"]} hint='rdiff-backup time spec such as "4W", "30D", "2025-01-01"; empty keeps by age forever'>
        <Input name="retention.olderThan" defaultValue={value.olderThan ?? ""} />
      </Field>
      <div className="grid grid-cols-4 gap-3">
        {counts.map(([k, label]) => (
          <Field key={k} label={label} name={`retention.${k}`} errors={errors[`retention.${k}`]}>
            <Input name={`retention.${k}`} defaultValue={value[k] === undefined ? "" : String(value[k])} inputMode="numeric" />
          </Field>
        ))}
      </div>
      <p className="text-xs text-slate-500">The newest increment is always kept. With no rule at all, nothing is removed.</p>
      {action ? (
        <div className="rounded-md bg-slate-50 p-3 text-sm" data-testid="retention-dry-run">
          <div className="mb-1 flex items-center justify-between">
            <span className="font-medium">Dry run over this job&apos;s increments</span>
            <Button type="button" variant="secondary" onClick={start} disabled={pending}>
              Dry run
            </Button>
          </div>
          {state?.message && !state.ok && <Errors name="retention-dry-run" errors={[state.message]} />}
          {shown && <DryRunTable dryRun={shown} />}
        </div>
      ) : (
        <p className="text-xs text-slate-500">The dry run over existing increments is available once the job is saved.</p>
      )}
    </div>
  );
}

function DryRunTable({ dryRun }: { dryRun: DryRun }) {
  if (dryRun.rows.length === 0) return <p className="text-slate-500">This job has no increments yet.</p>;
  return (
    <>
      {dryRun.warning && <p className="mb-2 rounded bg-amber-50 p-2 text-amber-800" data-testid="retention-warning">{dryRun.warning}</p>}
      <p className="mb-1">
        Would remove {dryRun.removeCount} of {dryRun.rows.length} increments.
      </p>
      <ul className="max-h-60 space-y-0.5 overflow-y-auto font-mono text-xs">
        {dryRun.rows.map((r) => (
          <li key={String(r.time)} className={r.keep ? "" : "text-red-700 line-through"}>
            {formatDate(new Date(r.time))} — {r.keep ? `kept (${r.reasons.join(", ")})` : "would be removed"}
          </li>
        ))}
      </ul>
    </>
  );
}
