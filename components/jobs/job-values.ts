// Form starting values: a stored job's (secrets reduced to "is one set") or a new job's defaults.
import { scheduleFromCron } from "@/lib/schemas/job";
import { nextFireTimes } from "@/lib/schedule";
import type { JobView } from "@/lib/data/jobs";
import type { JobFormValues } from "./job-form";

/** Defaults of a new job: a daily mirror at 02:00 kept 4 weeks. */
export const NEW_JOB: JobFormValues = {
  name: "",
  method: "mirror",
  enabled: true,
  sources: [],
  includes: [],
  excludes: [],
  schedule: { kind: "daily", at: "02:00" },
  retention: { olderThan: "4W" },
  options: {},
  preCommand: null,
  postCommand: null,
  notify: { emails: [], onFailure: true, onSuccess: false, onOverdue: true },
  overdueAfterHours: 36,
  runMissed: false,
  hasPassword: false,
};

/** The form values of a stored job. */
export function jobFormValues(job: JobView): JobFormValues {
  return { ...job, method: job.method, schedule: scheduleFromCron(job.schedule) };
}

/** The next five fire times of a cron expression as ISO strings (empty when it does not parse). */
export function nextTimes(cron: string): string[] {
  try {
    return nextFireTimes(cron, 5).map((d) => d.toISOString());
  } catch {
    return [];
  }
}
