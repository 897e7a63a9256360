import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { changesBetween, listIncrements } from "@/lib/data/catalogue";
import { formatDate } from "@/components/ui";
import { RepoHeader } from "@/components/browse/repo-header";
import { Notice } from "@/components/browse/notice";
import { ChangeList, TimeRangeForm } from "@/components/browse/change-list";
import { atParam, repoPageHref } from "@/components/browse/urls";
import { orMessage, param, repositoryOr404 } from "../repository";

export const metadata: Metadata = { title: "What changed" };

export default async function ChangesPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const repo = await repositoryOr404(caller, id);
  const sp = await searchParams;
  const increments = await listIncrements(caller, id);
  const previous = increments[increments.length - 2] ?? increments[0];
  const from = param(sp.from, 100) || (previous ? atParam(previous.time) : "");
  const to = param(sp.to, 100);
  const result = await orMessage(() => changesBetween(caller, id, from, to));
  return (
    <>
      <RepoHeader repo={repo} active="changes" />
      <div className="space-y-4">
        <TimeRangeForm action={repoPageHref(id, "changes")} from={from} to={to} times={increments.map((i) => atParam(i.time))} />
        {result.error !== undefined ? (
          <Notice title="Cannot compare these times">{result.error}</Notice>
        ) : (
          <>
            <p className="text-sm text-slate-600" data-testid="changes-range">
              Between the increments of <span className="font-medium">{formatDate(result.data.from.increment.time)}</span> and{" "}
              <span className="font-medium">{formatDate(result.data.to.increment.time)}</span>
              {result.data.truncated && <span className="text-amber-700"> · only the first changes are listed</span>}
            </p>
            <div className="grid gap-4 lg:grid-cols-3">
              <ChangeList title="New" tone="blue" repoId={id} items={result.data.new} at={atParam(result.data.to.increment.time)} />
              <ChangeList title="Changed" tone="green" repoId={id} items={result.data.changed} at={atParam(result.data.to.increment.time)} />
              <ChangeList title="Deleted" tone="red" repoId={id} items={result.data.deleted} at={atParam(result.data.from.increment.time)} />
            </div>
          </>
        )}
      </div>
    </>
  );
}
