// The "host key changed" notification: sent to everyone the host's jobs notify on failure (a changed key fails
// their runs until an admin accepts it). Callers send it once per new pending key (see recordHostKey).
import { db } from "@/lib/db";
import { notifySettings } from "@/lib/schemas/job";
import { consoleBaseUrl, deliver, type DeliveryConfig, type DeliveryResult } from "./deliver";

/** Recipients of host-level events: the union of the host's jobs' failure recipients (several webhooks: one delivery each). */
async function hostRecipients(hostId: string) {
  const jobs = await db().job.findMany({ where: { hostId }, select: { notify: true } });
  const emails = new Set<string>();
  const webhooks = new Set<string>();
  for (const j of jobs) {
    const s = notifySettings.safeParse(j.notify ?? {});
    if (!s.success || !s.data.onFailure) continue;
    s.data.emails.forEach((e) => emails.add(e));
    if (s.data.webhook) webhooks.add(s.data.webhook);
  }
  return { emails: [...emails], webhooks: [...webhooks] };
}

/** Tells the host's recipients that it presented `presented` instead of the pinned `pinned`; null when nobody is to be told. */
export async function notifyHostKeyChanged(hostId: string, pinned: string | null, presented: string, cfg?: DeliveryConfig): Promise<DeliveryResult[] | null> {
  const host = await db().host.findUnique({ where: { id: hostId }, select: { id: true, name: true } });
  if (!host) return null;
  const { emails, webhooks } = await hostRecipients(hostId);
  if (emails.length === 0 && webhooks.length === 0) return null;
  const n = {
    event: "host-key.changed" as const,
    host,
    job: null,
    run: null,
    status: "host key changed",
    reason: `Host "${host.name}" presented the key ${presented} instead of the pinned ${pinned ?? "(none)"}; its runs fail until an admin accepts the new key on the host page`,
    link: `${consoleBaseUrl()}/hosts/${host.id}`,
    logTail: [],
  };
  const targets = webhooks.length ? webhooks.map((webhook, i) => ({ emails: i === 0 ? emails : [], webhook })) : [{ emails }];
  return Promise.all(targets.map((t) => deliver(n, t, cfg)));
}
