"use client";
// Schedule part of the job form: preset or cron, and the next five fire times (server-computed, refreshable).
import { useActionState, useState, startTransition, type RefObject } from "react";
import type { ScheduleInput } from "@/lib/schedule";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, Field, Input, Select, formatDate } from "@/components/ui";
import { Errors } from "./fields";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState & { times?: string[] }>;
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export function ScheduleFields({ value, times, errors, action, formRef }: { value: ScheduleInput; times: string[]; errors: Record<string, string[]>; action: Action; formRef: RefObject<HTMLFormElement | null> }) {
  const [kind, setKind] = useState(value.kind);
  const [state, refresh, pending] = useActionState(action, undefined);
  const shown = state?.times ?? times;
  const at = "at" in value ? value.at : "02:00";
  const run = () =>
    startTransition(() => {
      if (formRef.current) refresh(new FormData(formRef.current));
    });
  return (
    <div className="space-y-3" data-testid="schedule-fields">
      <Field label="Schedule" name="schedule.kind" errors={errors["schedule.kind"]}>
        <Select name="schedule.kind" value={kind} onChange={(e) => setKind(e.target.value as ScheduleInput["kind"])}>
          <option value="hourly">Hourly</option>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
          <option value="monthly">Monthly</option>
          <option value="cron">Cron expression</option>
        </Select>
      </Field>
      <div className="grid grid-cols-2 gap-4">
        {kind === "hourly" && (
          <Field label="At minute" name="schedule.minute" errors={errors["schedule.minute"]}>
            <Input name="schedule.minute" defaultValue={value.kind === "hourly" ? String(value.minute) : "0"} inputMode="numeric" />
          </Field>
        )}
        {kind === "weekly" && (
          <Field label="On" name="schedule.weekday" errors={errors["schedule.day"]}>
            <Select name="schedule.weekday" defaultValue={value.kind === "weekly" ? String(value.day) : "1"}>
              {DAYS.map((d, i) => (
                <option key={d} value={i}>
                  {d}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {kind === "monthly" && (
          <Field label="On day of month" name="schedule.monthday" errors={errors["schedule.day"]}>
            <Input name="schedule.monthday" defaultValue={value.kind === "monthly" ? String(value.day) : "1"} inputMode="numeric" />
          </Field>
        )}
        {(kind === "daily" || kind === "weekly" || kind === "monthly") && (
          <Field label="At (HH:MM)" name="schedule.at" errors={errors["schedule.at"]}>
            <Input name="schedule.at" defaultValue={at} />
          </Field>
        )}
      </div>
      {kind === "cron" && (
        <Field label="Cron expression" name="schedule.expression" errors={errors["schedule.expression"]} hint="minute hour day-of-month month day-of-week, in the agent's time zone">
          <Input name="schedule.expression" defaultValue={value.kind === "cron" ? value.expression : "0 2 * * *"} className="font-mono" />
        </Field>
      )}
      <div className="rounded-md bg-slate-50 p-3 text-sm" data-testid="next-fire-times">
        <div className="mb-1 flex items-center justify-between">
          <span className="font-medium">Next runs (UTC, console clock)</span>
          <Button type="button" variant="secondary" onClick={run} disabled={pending}>
            Refresh next runs
          </Button>
        </div>
        {state?.message && !state.ok ? (
          <Errors name="schedule-preview" errors={[state.message]} />
        ) : shown.length === 0 ? (
          <p className="text-slate-500">Shown once the schedule is valid.</p>
        ) : (
          <ol className="list-inside list-decimal font-mono text-xs">
            {shown.map((t) => (
              <li key={t}>{formatDate(new Date(t))}</li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
