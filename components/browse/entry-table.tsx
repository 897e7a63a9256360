// One directory's entries at a time: sortable columns, change markers, deleted entries with their date.
import Link from "next/link";
import { Badge, formatDate } from "@/components/ui";
import { displayName, formatBytes } from "@/lib/preview/format";
import { EntryIcon } from "./icons";
import { atParam, browseHref, fileHref, type Query } from "./urls";

export interface EntryRow {
  name: string;
  path: string;
  type: string;
  size: number;
  mtime: Date | null;
  linkTarget: string | null;
  changedInThisIncrement: boolean;
  changeInThisIncrement: "new" | "changed" | null;
  deletedAt: Date | null;
}

export type Sort = { key: "name" | "size" | "mtime"; order: "asc" | "desc" };

interface Props {
  repoId: string;
  path: string;
  entries: EntryRow[];
  sort: Sort;
  /** The view's query (at, deleted, filter) kept by sort links and entry links. */
  query: Query;
  /** Increment times oldest first: a deleted entry links to the last increment that still had it. */
  times: Date[];
}

export function EntryTable({ repoId, path, entries, sort, query, times }: Props) {
  const head = (key: Sort["key"], label: string, className = "") => {
    const active = sort.key === key;
    const order = active && sort.order === "asc" ? "desc" : "asc";
    return (
      <th className={`px-3 py-2 text-left font-medium text-slate-600 ${className}`} aria-sort={active ? (sort.order === "asc" ? "ascending" : "descending") : undefined}>
        <Link href={browseHref(repoId, path, { ...query, cursor: undefined, sort: key === "name" ? undefined : key, order: order === "asc" ? undefined : "desc" })} className="inline-flex items-center gap-1 hover:text-brand-600">
          {label}
          <span className="text-xs text-slate-400">{active ? (sort.order === "asc" ? "▲" : "▼") : ""}</span>
        </Link>
      </th>
    );
  };
  const lastBefore = (d: Date) => [...times].reverse().find((t) => t < d);
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full table-fixed divide-y divide-slate-200 text-sm" data-testid="entries">
        <thead className="bg-slate-50">
          <tr>
            {head("name", "Name", "w-auto")}
            {head("size", "Size", "w-28 text-right")}
            {head("mtime", "Modified", "w-44")}
            <th className="w-40 px-3 py-2 text-left font-medium text-slate-600">In this increment</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((e) => {
            const seen = e.deletedAt ? lastBefore(e.deletedAt) : undefined;
            const q: Query = { ...query, at: seen ? atParam(seen) : query.at, cursor: undefined, filter: undefined };
            const href = e.type === "dir" ? browseHref(repoId, e.path, q) : fileHref(repoId, e.path, { at: q.at });
            return (
              <tr key={e.path + (e.deletedAt?.getTime() ?? "")} className={e.deletedAt ? "bg-red-50/40 text-slate-500" : "hover:bg-slate-50"} data-testid="entry-row" data-name={e.name} data-deleted={e.deletedAt ? "1" : undefined}>
                <td className="px-3 py-1.5">
                  <div className="flex min-w-0 items-center gap-2">
                    <Link href={href} className={`flex min-w-0 items-center gap-2 ${e.deletedAt ? "line-through decoration-red-300" : "text-slate-900 hover:text-brand-600"}`} title={displayName(e.name)}>
                      <EntryIcon type={e.type} name={e.name} />
                      <span className="truncate font-mono text-[13px]">{displayName(e.name)}</span>
                      {e.type === "dir" && <span className="text-slate-400">/</span>}
                    </Link>
                    {e.type === "symlink" && e.linkTarget !== null && <span className="truncate font-mono text-xs text-slate-500">→ {displayName(e.linkTarget)}</span>}
                  </div>
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums text-slate-600">{e.type === "file" ? formatBytes(e.size) : ""}</td>
                <td className="px-3 py-1.5 text-slate-600 tabular-nums">{e.mtime ? formatDate(e.mtime) : ""}</td>
                <td className="px-3 py-1.5">
                  {e.deletedAt ? (
                    <span title={`Deleted in the increment of ${formatDate(e.deletedAt)}`}>
                      <Badge tone="red">deleted {formatDate(e.deletedAt).slice(0, 10)}</Badge>
                    </span>
                  ) : e.changeInThisIncrement === "new" ? (
                    <Badge tone="blue">new</Badge>
                  ) : e.changedInThisIncrement ? (
                    <Badge tone="green">changed</Badge>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
