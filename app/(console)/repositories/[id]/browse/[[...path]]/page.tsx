import type { Metadata } from "next";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/page";
import { listDirectory, listIncrements } from "@/lib/data/catalogue/browse";
import { EmptyState, formatDate } from "@/components/ui";
import { RepoHeader } from "@/components/browse/repo-header";
import { Breadcrumbs } from "@/components/browse/breadcrumbs";
import { Timeline } from "@/components/browse/timeline";
import { EntryTable, type Sort } from "@/components/browse/entry-table";
import { ViewToolbar } from "@/components/browse/view-toolbar";
import { Notice } from "@/components/browse/notice";
import { RestoreLink } from "@/components/restore/restore-link";
import { atParam, browseHref, pathFromSegments } from "@/components/browse/urls";
import { orMessage, param, repositoryOr404 } from "../../repository";

export const metadata: Metadata = { title: "Browse" };

type Params = { id: string; path?: string[] };
type Search = Record<string, string | string[] | undefined>;
const PAGE = 500;

export default async function BrowsePage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const caller = await pageCaller();
  const { id, path: segments } = await params;
  const repo = await repositoryOr404(caller, id);
  const sp = await searchParams;
  const path = pathFromSegments(segments);
  const at = param(sp.at, 100);
  const filter = param(sp.filter, 200);
  const showDeleted = param(sp.deleted) === "1";
  const sort: Sort = { key: (["size", "mtime"].includes(param(sp.sort)) ? param(sp.sort) : "name") as Sort["key"], order: param(sp.order) === "desc" ? "desc" : "asc" };
  const cursor = param(sp.cursor, 2000) || undefined;
  const [increments, listing] = await Promise.all([
    listIncrements(caller, id),
    orMessage(() => listDirectory(caller, id, { path, at, showDeleted, sort: sort.key, order: sort.order, filter: filter || undefined, cursor, limit: PAGE })),
  ]);
  const resolved = listing.data?.at.increment.time ?? null;
  const query = { at: at || undefined, deleted: showDeleted || undefined, filter: filter || undefined, sort: sort.key === "name" ? undefined : sort.key, order: sort.order === "desc" ? "desc" : undefined };
  const timelineQuery = { ...query, cursor: undefined };
  return (
    <>
      <RepoHeader repo={repo} active="browse" at={at || undefined} />
      <div className="space-y-4">
        <Timeline increments={increments} current={resolved} repoId={id} path={path} query={timelineQuery} />
        <ViewToolbar
          action={browseHref(id, path)}
          at={at}
          filter={filter}
          showDeleted={showDeleted}
          sort={query.sort}
          order={query.order}
          download={resolved ? { repoId: id, path, at: atParam(resolved) } : undefined}
          actions={resolved ? <RestoreLink caller={caller} repoId={id} path={path} at={atParam(resolved)} /> : undefined}
        />
        <div className="flex flex-wrap items-center justify-between gap-3">
          <Breadcrumbs repoId={id} path={path} query={{ ...query, filter: undefined }} />
          {listing.data && (
            <p className="text-xs text-slate-500" data-testid="resolved-increment">
              As of the increment of <span className="font-medium text-slate-700">{formatDate(listing.data.at.increment.time)}</span> ({listing.data.at.increment.kind})
              {at && <> · “{at}” means {formatDate(listing.data.at.resolvedFrom)}</>}
            </p>
          )}
        </div>
        {listing.error !== undefined ? (
          <Notice title="Cannot show this folder at that time" tone="amber">
            <p data-testid="time-error">{listing.error}</p>
            <p className="mt-1 text-xs">Time specs: a date (2024-05-01), a date-time (2024-05-01T10:00:00Z), an interval back from now (3D, 2W, 1h30m), or sessions back (1B = the increment before the latest).</p>
          </Notice>
        ) : listing.data.entries.length === 0 ? (
          <EmptyState
            title={filter ? "No entry matches this filter" : "Nothing here at this time"}
            detail={filter ? undefined : "The folder was empty, or did not exist yet, in this increment. Step through the timeline or show deleted entries."}
          />
        ) : (
          <>
            <EntryTable repoId={id} path={path} entries={listing.data.entries} sort={sort} query={query} times={increments.map((i) => i.time)} />
            <div className="flex items-center justify-between text-sm">
              <span className="text-slate-500">
                {listing.data.entries.length} entr{listing.data.entries.length === 1 ? "y" : "ies"}
                {cursor || listing.data.nextCursor ? " on this page" : ""}
              </span>
              <div className="flex gap-3">
                {cursor && (
                  <Link href={browseHref(id, path, query)} className="text-brand-600 hover:underline">
                    First page
                  </Link>
                )}
                {listing.data.nextCursor && (
                  <Link href={browseHref(id, path, { ...query, cursor: listing.data.nextCursor })} className="font-medium text-brand-600 hover:underline" data-testid="next-page">
                    Next page →
                  </Link>
                )}
              </div>
            </div>
          </>
        )}
      </div>
    </>
  );
}
