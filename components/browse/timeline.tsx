// The increments of a repository as a strip of bars (height by size) to step through time in the same folder.
import Link from "next/link";
import { formatDate } from "@/components/ui";
import { formatBytes } from "@/lib/preview/format";
import { atParam, browseHref, type Query } from "./urls";

export interface TimelineIncrement {
  id: string;
  time: Date;
  kind: string;
  sizeBytes: bigint | number;
  newCount?: number;
  changedCount?: number;
  deletedCount?: number;
}

/** `increments` oldest first; `current` the time the view resolved to. */
export function Timeline({ increments, current, repoId, path, query }: { increments: TimelineIncrement[]; current: Date | null; repoId: string; path: string; query: Query }) {
  if (increments.length === 0) return null;
  const idx = current ? increments.findIndex((i) => i.time.getTime() === current.getTime()) : -1;
  const href = (i: TimelineIncrement) => browseHref(repoId, path, { ...query, at: atParam(i.time) });
  // Bars by bytes added; by files touched when sizes are unknown (imported repositories).
  const bySize = increments.some((i) => Number(i.sizeBytes) > 0);
  const metric = (i: TimelineIncrement) => Math.log10((bySize ? Number(i.sizeBytes) : (i.newCount ?? 0) + (i.changedCount ?? 0) + (i.deletedCount ?? 0)) + 1);
  const max = Math.max(...increments.map(metric), 1);
  const older = idx > 0 ? increments[idx - 1] : undefined;
  const newer = idx >= 0 && idx < increments.length - 1 ? increments[idx + 1] : undefined;
  const step = "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50";
  const off = "rounded-md border border-slate-200 px-2.5 py-1 text-xs text-slate-300";
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid="timeline">
      <div className="mb-2 flex items-center gap-2">
        <h2 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Timeline</h2>
        <span className="text-xs text-slate-500">
          {increments.length} increment{increments.length === 1 ? "" : "s"} · {idx >= 0 ? `${idx + 1} of ${increments.length}` : "none selected"}
        </span>
        <div className="ml-auto flex gap-1">
          {older ? <Link href={href(older)} className={step} data-testid="step-older" rel="prev">← Older</Link> : <span className={off}>← Older</span>}
          {newer ? <Link href={href(newer)} className={step} data-testid="step-newer" rel="next">Newer →</Link> : <span className={off}>Newer →</span>}
          <Link href={href(increments[increments.length - 1])} className={step}>Latest</Link>
        </div>
      </div>
      <div className="flex h-14 items-end gap-px overflow-x-auto pb-1">
        {increments.map((inc, i) => {
          const h = 15 + (metric(inc) / max) * 85;
          const selected = i === idx;
          const title = `${formatDate(inc.time)} · ${inc.kind} · ${formatBytes(inc.sizeBytes)}${inc.newCount !== undefined ? ` · ${inc.newCount} new, ${inc.changedCount ?? 0} changed, ${inc.deletedCount ?? 0} deleted` : ""}`;
          return (
            <Link
              key={inc.id}
              href={href(inc)}
              title={title}
              aria-label={title}
              aria-current={selected ? "true" : undefined}
              data-testid="timeline-increment"
              className="group flex h-full min-w-2 flex-1 items-end"
              style={{ maxWidth: 28 }}
            >
              <span
                className={`block w-full rounded-t-sm ${selected ? "bg-brand-600" : inc.kind === "mirror" || inc.kind === "full" ? "bg-slate-400 group-hover:bg-brand-600/70" : "bg-slate-300 group-hover:bg-brand-600/70"}`}
                style={{ height: `${h}%` }}
              />
            </Link>
          );
        })}
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-400">
        <span>{formatDate(increments[0].time)}</span>
        <span>{formatDate(increments[increments.length - 1].time)}</span>
      </div>
    </section>
  );
}
