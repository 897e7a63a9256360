import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { searchVersions } from "@/lib/data/catalogue";
import { RepoHeader } from "@/components/browse/repo-header";
import { Notice } from "@/components/browse/notice";
import { SearchForm, SearchResults } from "@/components/browse/search-results";
import { repoPageHref } from "@/components/browse/urls";
import { orMessage, param, repositoryOr404 } from "../repository";

export const metadata: Metadata = { title: "Search history" };

export default async function RepositorySearchPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const repo = await repositoryOr404(caller, id);
  const q = param((await searchParams).q, 200);
  const found = q ? await orMessage(() => searchVersions(caller, { repoId: id, q, limit: 500 })) : undefined;
  return (
    <>
      <RepoHeader repo={repo} active="search" />
      <div className="space-y-4">
        <SearchForm action={repoPageHref(id, "search")} q={q} placeholder="Name, glob (*.conf) or path (etc/nginx/*) over every version" />
        {found?.error !== undefined && <Notice title="Cannot search">{found.error}</Notice>}
        {found?.data && <SearchResults hits={found.data.results} truncated={found.data.truncated} showRepository={false} />}
      </div>
    </>
  );
}
