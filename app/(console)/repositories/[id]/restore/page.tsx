import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { pageCaller } from "@/lib/auth/page";
import { restoreForm } from "@/lib/data/restores";
import { AppError } from "@/lib/errors";
import { Card, EmptyState, formatDate } from "@/components/ui";
import { RepoHeader } from "@/components/browse/repo-header";
import { Notice } from "@/components/browse/notice";
import { atParam, browseHref } from "@/components/browse/urls";
import { RestoreForm } from "@/components/restore/restore-form";
import { param } from "../repository";
import { restoreAction } from "./actions";

export const metadata: Metadata = { title: "Restore to host" };

type Search = Record<string, string | string[] | undefined>;

async function formOr404(load: () => ReturnType<typeof restoreForm>) {
  try {
    return { form: await load() };
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") notFound();
    if (e instanceof AppError && e.code === "forbidden") forbidden();
    if (e instanceof AppError && e.code === "invalid") return { error: e.message };
    throw e;
  }
}

export default async function RestorePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const sp = await searchParams;
  const at = param(sp.at, 100);
  const path = param(sp.path, 4096);
  const loaded = await formOr404(() => restoreForm(caller, id, { path, at }));
  if (!loaded.form) {
    const again = await formOr404(() => restoreForm(caller, id, { at }));
    return <Page form={again.form!} at={at} pathError={loaded.error} />;
  }
  return <Page form={loaded.form} at={at} />;
}

function Page({ form, at, pathError }: { form: Awaited<ReturnType<typeof restoreForm>>; at: string; pathError?: string }) {
  const repo = form.repository;
  const selected = form.resolved?.increment.time ?? form.increments[0]?.time ?? null;
  return (
    <>
      <RepoHeader repo={repo} active="browse" at={at || undefined} />
      <div className="space-y-4">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">Restore to a host</h2>
          <Link href={browseHref(repo.id, form.path, { at: at || undefined })} className="text-sm text-brand-600 hover:underline">
            ← Back to browsing
          </Link>
        </div>
        {pathError && <Notice title="Cannot use this path">{pathError}</Notice>}
        {form.timeError && (
          <Notice title={`Cannot use the time “${at}”`}>
            {form.timeError} The form below starts at the latest increment.
          </Notice>
        )}
        {form.increments.length === 0 ? (
          <EmptyState title="Nothing to restore yet" detail="This repository has no increments." />
        ) : form.hosts.length === 0 ? (
          <EmptyState title="No host to restore to" detail={`None of the hosts reached through agent "${repo.agent.name}" is one you may manage.`} />
        ) : (
          <Card title={`From ${repo.name} (agent ${repo.agent.name})`}>
            {form.resolved && at && (
              <p className="mb-4 text-sm text-slate-600" data-testid="resolved-increment">
                “{at}” means {formatDate(form.resolved.resolvedFrom)}: the increment of <span className="font-medium text-slate-800">{formatDate(form.resolved.increment.time)}</span>.
              </p>
            )}
            <RestoreForm
              action={restoreAction}
              repositoryId={repo.id}
              hosts={form.hosts}
              defaultHostId={form.defaultHostId}
              sourceRoot={form.sourceRoot}
              path={form.path}
              increments={form.increments.map((i) => ({ at: atParam(i.time), time: i.time, kind: i.kind }))}
              selectedAt={selected ? atParam(selected) : ""}
            />
          </Card>
        )}
      </div>
    </>
  );
}
