// Search hits over every version: each links to that version at its own time.
import Link from "next/link";
import { Badge, EmptyState, formatDate } from "@/components/ui";
import { displayName, formatBytes } from "@/lib/preview/format";
import { EntryIcon } from "./icons";
import { atParam, browseHref, fileHref } from "./urls";

export interface SearchHit {
  repositoryId: string;
  repositoryName: string;
  path: string;
  name: string;
  type: string;
  size: number;
  validFrom: Date;
  validUntil: Date | null;
}

export function SearchForm({ action, q, placeholder }: { action: string; q: string; placeholder: string }) {
  return (
    <form action={action} method="get" role="search" className="flex gap-2">
      <input name="q" defaultValue={q} placeholder={placeholder} aria-label="Search" autoFocus className="w-full max-w-xl rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-brand-600 focus:outline-none" />
      <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
        Search
      </button>
    </form>
  );
}

export function SearchResults({ hits, truncated, showRepository }: { hits: SearchHit[]; truncated: boolean; showRepository: boolean }) {
  if (hits.length === 0) return <EmptyState title="No version matches" detail="Names match as a substring, or as a glob with * and ?; include a / to match whole paths." />;
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-500">
        {hits.length} version{hits.length === 1 ? "" : "s"}
        {truncated && " (the first ones; refine the search for the rest)"}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="search-results">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              {showRepository && <th className="px-3 py-2 font-medium">Repository</th>}
              <th className="px-3 py-2 font-medium">Path</th>
              <th className="px-3 py-2 text-right font-medium">Size</th>
              <th className="px-3 py-2 font-medium">From</th>
              <th className="px-3 py-2 font-medium">Until</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {hits.map((h) => {
              const at = atParam(h.validFrom);
              const href = h.type === "dir" ? browseHref(h.repositoryId, h.path, { at }) : fileHref(h.repositoryId, h.path, { at });
              return (
                <tr key={`${h.repositoryId}/${h.path}@${at}`} className="hover:bg-slate-50" data-testid="search-hit">
                  {showRepository && <td className="px-3 py-1.5 text-slate-600">{h.repositoryName}</td>}
                  <td className="px-3 py-1.5">
                    <Link href={href} className="inline-flex items-center gap-2 font-mono text-[13px] text-slate-900 hover:text-brand-600">
                      <EntryIcon type={h.type} name={h.name} />
                      {displayName(h.path)}
                    </Link>
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{h.type === "file" ? formatBytes(h.size) : ""}</td>
                  <td className="px-3 py-1.5 tabular-nums">{formatDate(h.validFrom)}</td>
                  <td className="px-3 py-1.5 tabular-nums">{h.validUntil ? formatDate(h.validUntil) : <Badge tone="green">current</Badge>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
