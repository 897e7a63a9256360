// Delivers one notification to its recipients: mail through SMTP (nodemailer) and a JSON POST to a webhook.
// Each channel fails on its own; failures are logged and returned, never thrown.
import nodemailer from "nodemailer";
import { parseEnv } from "@/lib/env";

/** One event, as webhooks receive it (JSON) and mail renders it. */
export interface Notification {
  event: "run.finished" | "job.overdue" | "host-key.changed";
  host: { id: string; name: string };
  job: { id: string; name: string } | null;
  run: { id: string; type: string; trigger: string; startedAt: string | null; finishedAt: string | null; durationMs: number | null; stats: Record<string, unknown> } | null;
  status: string;
  reason: string | null;
  /** Console page about the event. */
  link: string;
  /** Last lines of the run's log. */
  logTail: string[];
}

/** Where a notification goes. */
export interface Recipients {
  emails: string[];
  webhook?: string;
}

/** Mail and webhook settings; by default from the environment. */
export interface DeliveryConfig {
  smtpUrl?: string;
  from: string;
  timeoutMs: number;
}

export function deliveryConfig(): DeliveryConfig {
  const env = parseEnv();
  return { smtpUrl: env.STRATA_SMTP_URL, from: env.STRATA_MAIL_FROM, timeoutMs: 15_000 };
}

/** The console's public base URL for links in notifications. */
export function consoleBaseUrl(): string {
  const env = parseEnv();
  return (env.STRATA_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/+$/, "");
}

const fmtDuration = (ms: number | null) => (ms === null ? "-" : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/** Subject and plain-text body of the mail for `n`. */
export function renderMail(n: Notification): { subject: string; text: string } {
  const what = n.job ? `${n.host.name}/${n.job.name}` : n.host.name;
  const subject =
    n.event === "job.overdue" ? `[Strata] ${what}: overdue` : n.event === "host-key.changed" ? `[Strata] ${what}: host key changed` : `[Strata] ${what}: ${n.status}`;
  const lines = [`Host: ${n.host.name}`, ...(n.job ? [`Job: ${n.job.name}`] : []), `Status: ${n.status}`];
  if (n.reason) lines.push(`Reason: ${n.reason}`);
  if (n.run) lines.push(`Trigger: ${n.run.trigger}`, `Started: ${n.run.startedAt ?? "-"}`, `Finished: ${n.run.finishedAt ?? "-"}`, `Duration: ${fmtDuration(n.run.durationMs)}`);
  lines.push("", n.link);
  if (n.logTail.length) lines.push("", "Last lines of the log:", ...n.logTail.map((l) => `  ${l}`));
  return { subject, text: lines.join("\n") + "\n" };
}

/** Result per channel: "sent", "skipped: why", or "failed: why". */
export interface DeliveryResult {
  email: string;
  webhook: string;
}

async function sendMail(n: Notification, to: string[], cfg: DeliveryConfig): Promise<string> {
  if (to.length === 0) return "skipped: no addresses";
  if (!cfg.smtpUrl) return "skipped: STRATA_SMTP_URL is not set";
  const transport = nodemailer.createTransport({ url: cfg.smtpUrl, connectionTimeout: cfg.timeoutMs, greetingTimeout: cfg.timeoutMs, socketTimeout: cfg.timeoutMs } as nodemailer.TransportOptions);
  try {
    const { subject, text } = renderMail(n);
    await transport.sendMail({ from: cfg.from, to, subject, text });
    return "sent";
  } finally {
    transport.close();
  }
}

async function postWebhook(n: Notification, url: string | undefined, cfg: DeliveryConfig): Promise<string> {
  if (!url) return "skipped: no webhook";
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "Strata" },
    body: JSON.stringify(n),
    signal: AbortSignal.timeout(cfg.timeoutMs),
    redirect: "manual",
  });
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return "sent";
}

/** Sends `n` by mail and webhook; each failure is logged with its cause and reported, never thrown. */
export async function deliver(n: Notification, to: Recipients, cfg: DeliveryConfig = deliveryConfig()): Promise<DeliveryResult> {
  const what = `${n.event} of "${n.job ? `${n.host.name}/${n.job.name}` : n.host.name}"`;
  const guard = (channel: string, p: Promise<string>) =>
    p.catch((err: unknown) => {
      const cause = (err as Error)?.message ?? String(err);
      console.error(`Cannot send the ${channel} notification for ${what}: ${cause}`);
      return `failed: ${cause}`;
    });
  const [email, webhook] = await Promise.all([guard("mail", sendMail(n, to.emails, cfg)), guard("webhook", postWebhook(n, to.webhook, cfg))]);
  return { email, webhook };
}
