// Title and tabs shared by a repository's pages (browse, search, changes, statistics).
import Link from "next/link";
import { Badge } from "@/components/ui";
import { browseHref, repoPageHref } from "./urls";

export interface RepoSummary {
  id: string;
  name: string;
  format: string;
  host: { name: string } | null;
}

type Tab = "browse" | "search" | "changes" | "stats";

export function RepoHeader({ repo, active, at, children }: { repo: RepoSummary; active: Tab; at?: string; children?: React.ReactNode }) {
  const tabs: { id: Tab; label: string; href: string }[] = [
    { id: "browse", label: "Browse", href: browseHref(repo.id, "", { at }) },
    { id: "search", label: "Search", href: repoPageHref(repo.id, "search") },
    { id: "changes", label: "What changed", href: repoPageHref(repo.id, "changes") },
    { id: "stats", label: "Statistics", href: repoPageHref(repo.id, "stats") },
  ];
  return (
    <div className="mb-5">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-500">
        <Link href="/repositories" className="hover:text-brand-600">
          Repositories
        </Link>
        <span>/</span>
        <span className="font-medium text-slate-700">{repo.host?.name ?? "no host"}</span>
      </div>
      <div className="mt-1 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold" data-testid="repo-name">
          {repo.name}
        </h1>
        <Badge tone={repo.format === "mirror" ? "blue" : "amber"}>{repo.format}</Badge>
        {children}
      </div>
      <nav className="mt-4 flex gap-1 border-b border-slate-200 text-sm">
        {tabs.map((t) => (
          <Link
            key={t.id}
            href={t.href}
            className={`-mb-px border-b-2 px-3 py-2 ${t.id === active ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-brand-600"}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}
