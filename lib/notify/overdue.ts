// Overdue notifications: an enabled job whose last success (or, never successful, its creation) is older than its
// threshold notifies once (Job.overdueNotifiedAt, cleared by the next success).
import { db } from "@/lib/db";
import { isOverdue } from "@/lib/data/fleet";
import { notifySettings } from "@/lib/schemas/job";
import { consoleBaseUrl, deliver, type DeliveryConfig, type DeliveryResult } from "./deliver";

/** Checks every job once at `now`; returns the jobs notified with what was sent. */
export async function checkOverdueJobs(now = new Date(), cfg?: DeliveryConfig): Promise<{ jobId: string; result: DeliveryResult }[]> {
  const jobs = await db().job.findMany({
    where: { enabled: true, overdueNotifiedAt: null },
    select: { id: true, name: true, createdAt: true, overdueAfterHours: true, notify: true, host: { select: { id: true, name: true } } },
  });
  if (jobs.length === 0) return [];
  const successes = await db().run.groupBy({ by: ["jobId"], where: { jobId: { in: jobs.map((j) => j.id) }, status: "success" }, _max: { finishedAt: true } });
  const lastSuccess = new Map(successes.map((s) => [s.jobId, s._max.finishedAt]));
  const out: { jobId: string; result: DeliveryResult }[] = [];
  for (const job of jobs) {
    const settings = notifySettings.safeParse(job.notify ?? {});
    if (!settings.success || !settings.data.onOverdue || (settings.data.emails.length === 0 && !settings.data.webhook)) continue;
    const last = lastSuccess.get(job.id) ?? null;
    if (!isOverdue(last, job.createdAt, job.overdueAfterHours, now)) continue;
    const claimed = await db().job.updateMany({ where: { id: job.id, overdueNotifiedAt: null }, data: { overdueNotifiedAt: now } });
    if (claimed.count === 0) continue;
    const hours = Math.floor((now.getTime() - (last ?? job.createdAt).getTime()) / 3600_000);
    const reason = last
      ? `No successful run for ${hours} hours (last success ${last.toISOString()}; threshold ${job.overdueAfterHours} hours)`
      : `No successful run since the job was created ${hours} hours ago (threshold ${job.overdueAfterHours} hours)`;
    const result = await deliver(
      { event: "job.overdue", host: job.host, job: { id: job.id, name: job.name }, run: null, status: "overdue", reason, link: `${consoleBaseUrl()}/hosts/${job.host.id}/jobs/${job.id}/runs`, logTail: [] },
      { emails: settings.data.emails, webhook: settings.data.webhook },
      cfg,
    );
    out.push({ jobId: job.id, result });
  }
  return out;
}

const g = globalThis as unknown as { __strataOverdueTimer?: NodeJS.Timeout };

/** Starts the periodic overdue check once per process (every `minutes`; 0 turns it off). */
export function startOverdueChecks(minutes: number): void {
  if (g.__strataOverdueTimer || minutes <= 0) return;
  const tick = () => checkOverdueJobs().catch((err) => console.error(`Overdue check failed: ${(err as Error).message}`));
  g.__strataOverdueTimer = setInterval(tick, minutes * 60_000);
  g.__strataOverdueTimer.unref();
  setTimeout(tick, 30_000).unref();
}
