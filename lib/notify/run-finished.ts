// Notifications for a run's final status, per the job's settings: failures (failed, partial) when onFailure,
// successes when onSuccess; cancelled and skipped runs notify nobody. Each run notifies at most once (Run.notifiedAt).
import { db } from "@/lib/db";
import { notifySettings } from "@/lib/schemas/job";
import { consoleBaseUrl, deliver, type DeliveryConfig, type DeliveryResult, type Notification } from "./deliver";

/** Lines of the log's end a notification carries. */
export const LOG_TAIL_LINES = 20;

/** Whether a final status is worth a message under these settings. */
export function wantsNotification(status: string, notify: { onFailure: boolean; onSuccess: boolean }): boolean {
  if (status === "failed" || status === "partial") return notify.onFailure;
  if (status === "success") return notify.onSuccess;
  return false;
}

/**
 * Sends the notifications of run `runId` if its status calls for them and nobody sent them yet; returns what was
 * sent (null when nothing was due). Never throws for delivery failures.
 */
export async function notifyRunFinished(runId: string, cfg?: DeliveryConfig, now = new Date()): Promise<DeliveryResult | null> {
  const run = await db().run.findUnique({
    where: { id: runId },
    select: {
      id: true, type: true, trigger: true, status: true, reason: true, startedAt: true, finishedAt: true, stats: true, log: true, notifiedAt: true,
      job: { select: { id: true, name: true, notify: true, host: { select: { id: true, name: true } } } },
    },
  });
  if (!run?.job || run.notifiedAt) return null;
  const settings = notifySettings.safeParse(run.job.notify ?? {});
  if (!settings.success || !wantsNotification(run.status, settings.data)) return null;
  if (settings.data.emails.length === 0 && !settings.data.webhook) return null;
  const claimed = await db().run.updateMany({ where: { id: run.id, notifiedAt: null }, data: { notifiedAt: now } });
  if (claimed.count === 0) return null;
  const n: Notification = {
    event: "run.finished",
    host: run.job.host,
    job: { id: run.job.id, name: run.job.name },
    run: {
      id: run.id,
      type: run.type,
      trigger: run.trigger,
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
      stats: (run.stats ?? {}) as Record<string, unknown>,
    },
    status: run.status,
    reason: run.reason,
    link: `${consoleBaseUrl()}/runs/${run.id}`,
    logTail: run.log.split("\n").slice(0, -1).slice(-LOG_TAIL_LINES),
  };
  return deliver(n, { emails: settings.data.emails, webhook: settings.data.webhook }, cfg);
}
