import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { searchVersions } from "@/lib/data/catalogue";
import { PageHeader } from "@/components/ui";
import { Notice } from "@/components/browse/notice";
import { SearchForm, SearchResults } from "@/components/browse/search-results";
import { orMessage, param } from "../[id]/repository";

export const metadata: Metadata = { title: "Search every repository" };

export default async function SearchEverywherePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await pageCaller();
  const q = param((await searchParams).q, 200);
  const found = q ? await orMessage(() => searchVersions(caller, { q, limit: 500 })) : undefined;
  return (
    <>
      <PageHeader title="Search every repository" subtitle="Every version of every file in the repositories you may see." />
      <div className="space-y-4">
        <SearchForm action="/repositories/search" q={q} placeholder="Name, glob (*.sql) or path (var/www/*)" />
        {found?.error !== undefined && <Notice title="Cannot search">{found.error}</Notice>}
        {found?.data && <SearchResults hits={found.data.results} truncated={found.data.truncated} showRepository />}
      </div>
    </>
  );
}
