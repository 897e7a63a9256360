// A small inline-SVG bar chart over increments (stacked series), with axis labels and hover titles.
import { formatDate } from "@/components/ui";

export interface Series {
  label: string;
  colour: string;
  values: number[];
}

interface Props {
  title: string;
  times: Date[];
  series: Series[];
  format: (n: number) => string;
}

const W = 960;
const H = 220;
const PAD = { left: 70, right: 10, top: 10, bottom: 28 };

export function BarChart({ title, times, series, format }: Props) {
  const totals = times.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(...totals, 1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(times.length, 1);
  const bar = Math.max(Math.min(slot * 0.8, 40), 1);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const labelEvery = Math.max(1, Math.ceil(times.length / 8));
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="chart">
      <figcaption className="mb-2 flex flex-wrap items-center gap-4 text-sm">
        <span className="font-semibold">{title}</span>
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1.5 text-xs text-slate-600">
            <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.colour }} />
            {s.label}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#e2e8f0" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#64748b">
              {format(t)}
            </text>
          </g>
        ))}
        {times.map((time, i) => {
          const x = PAD.left + i * slot + (slot - bar) / 2;
          let base = 0;
          return (
            <g key={time.getTime()}>
              <title>{`${formatDate(time)}\n${series.map((s) => `${s.label}: ${format(s.values[i] ?? 0)}`).join("\n")}`}</title>
              <rect x={PAD.left + i * slot} y={PAD.top} width={slot} height={plotH} fill="transparent" />
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                const top = y(base + v);
                const h = y(base) - top;
                base += v;
                return <rect key={s.label} x={x} y={top} width={bar} height={Math.max(h, v > 0 ? 1 : 0)} fill={s.colour} />;
              })}
              {i % labelEvery === 0 && (
                <text x={x + bar / 2} y={H - 8} textAnchor="middle" fontSize="11" fill="#64748b">
                  {formatDate(time).slice(0, 10)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
