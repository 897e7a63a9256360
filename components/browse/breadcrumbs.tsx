// Breadcrumbs of a repository path; each crumb keeps the view's time and options.
import Link from "next/link";
import { displayName } from "@/lib/preview/format";
import { browseHref, type Query } from "./urls";

export function Breadcrumbs({ repoId, path, query, fileLast = false }: { repoId: string; path: string; query: Query; fileLast?: boolean }) {
  const parts = path === "" ? [] : path.split("/");
  return (
    <nav aria-label="Path" className="flex min-w-0 flex-wrap items-center gap-1 font-mono text-sm" data-testid="breadcrumbs">
      <Link href={browseHref(repoId, "", query)} className="text-brand-600 hover:underline">
        /
      </Link>
      {parts.map((name, i) => {
        const sub = parts.slice(0, i + 1).join("/");
        const last = i === parts.length - 1;
        return (
          <span key={sub} className="flex items-center gap-1">
            {i > 0 && <span className="text-slate-400">/</span>}
            {last && fileLast ? (
              <span className="font-semibold text-slate-900">{displayName(name)}</span>
            ) : (
              <Link href={browseHref(repoId, sub, query)} className={last ? "font-semibold text-slate-900 hover:underline" : "text-brand-600 hover:underline"}>
                {displayName(name)}
              </Link>
            )}
          </span>
        );
      })}
    </nav>
  );
}
