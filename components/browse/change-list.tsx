// "What changed" between two times: the range form and one column per kind of change.
import Link from "next/link";
import { Badge } from "@/components/ui";
import { displayName, formatBytes } from "@/lib/preview/format";
import { EntryIcon } from "./icons";
import { browseHref, fileHref } from "./urls";

export interface ChangeItem {
  path: string;
  type: string;
  size: number;
  oldSize: number | null;
}

const input = "mt-1 w-56 rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-sm focus:border-brand-600 focus:outline-none";

export function TimeRangeForm({ action, from, to, times }: { action: string; from: string; to: string; times: string[] }) {
  return (
    <form action={action} method="get" className="flex flex-wrap items-end gap-3" data-testid="range-form">
      <label className="flex flex-col text-xs font-medium text-slate-600">
        From
        <input name="from" defaultValue={from} list="increment-times" className={input} aria-label="From" />
      </label>
      <label className="flex flex-col text-xs font-medium text-slate-600">
        To
        <input name="to" defaultValue={to} list="increment-times" placeholder="latest" className={input} aria-label="To" />
      </label>
      <datalist id="increment-times">
        {[...times].reverse().map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
        Compare
      </button>
      <span className="pb-2 text-xs text-slate-500">Any time spec: 1B, 3D, 2024-05-01, or pick an increment.</span>
    </form>
  );
}

/** One kind of change; entries link to the file (or folder) at `at`: the later time, or the earlier for deletions. */
export function ChangeList({ title, tone, repoId, items, at }: { title: string; tone: "blue" | "green" | "red"; repoId: string; items: ChangeItem[]; at: string }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid={`changes-${title.toLowerCase()}`}>
      <header className="flex items-center gap-2 border-b border-slate-200 px-4 py-2.5">
        <h2 className="text-sm font-semibold">{title}</h2>
        <Badge tone={tone}>{items.length}</Badge>
      </header>
      {items.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">None.</p>
      ) : (
        <ul className="max-h-[60vh] divide-y divide-slate-100 overflow-auto text-sm">
          {items.map((c) => (
            <li key={c.path} className="flex items-center gap-2 px-4 py-1.5" data-testid="change-item">
              <EntryIcon type={c.type} name={c.path} />
              <Link href={c.type === "dir" ? browseHref(repoId, c.path, { at }) : fileHref(repoId, c.path, { at })} className="min-w-0 flex-1 truncate font-mono text-[13px] hover:text-brand-600" title={displayName(c.path)}>
                {displayName(c.path)}
              </Link>
              {c.type === "file" && (
                <span className="shrink-0 text-xs tabular-nums text-slate-500">
                  {c.oldSize !== null && c.oldSize !== c.size ? `${formatBytes(c.oldSize)} → ` : ""}
                  {formatBytes(c.size)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
