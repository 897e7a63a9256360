import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { pageCaller } from "@/lib/auth/page";
import { fileHistory, resolveTime } from "@/lib/data/catalogue";
import { Card, formatDate } from "@/components/ui";
import { RepoHeader } from "@/components/browse/repo-header";
import { Breadcrumbs } from "@/components/browse/breadcrumbs";
import { Notice } from "@/components/browse/notice";
import { RestoreLink } from "@/components/restore/restore-link";
import { VersionTable } from "@/components/browse/version-table";
import { FilePreview } from "@/components/browse/file-preview";
import { DiffView } from "@/components/browse/diff-view";
import { atParam, browseHref, fileDataUrl, fileHref, pathFromSegments } from "@/components/browse/urls";
import { displayName, formatBytes } from "@/lib/preview/format";
import { orMessage, param, repositoryOr404 } from "../../repository";

export const metadata: Metadata = { title: "File history" };

type Params = { id: string; path: string[] };
type Search = Record<string, string | string[] | undefined>;

export default async function FilePage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const caller = await pageCaller();
  const { id, path: segments } = await params;
  const repo = await repositoryOr404(caller, id);
  const sp = await searchParams;
  const path = pathFromSegments(segments);
  const at = param(sp.at, 100);
  const mode = param(sp.mode) === "split" ? "split" : "unified";
  const history = await orMessage(() => fileHistory(caller, id, path));
  const name = path.slice(path.lastIndexOf("/") + 1);
  const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const header = <RepoHeader repo={repo} active="browse" at={at || undefined} />;
  if (history.error !== undefined) {
    return (
      <>
        {header}
        <Notice title="No history for this path">{history.error}</Notice>
      </>
    );
  }
  const versions = history.data.events.flatMap((e) => (e.change === "deleted" ? [] : [e]));
  const latest = versions[versions.length - 1];
  if (latest?.type === "dir" && !at) redirect(browseHref(id, path));
  const resolved = at ? await orMessage(() => resolveTime(caller, id, at)) : undefined;
  const T = resolved?.data?.increment.time ?? null;
  const shown = T ? [...versions].reverse().find((v) => v.time <= T) : latest;
  const goneAtT = T && shown?.validUntil && shown.validUntil <= T ? shown.validUntil : null;
  const byTime = (s: string) => versions.find((v) => atParam(v.time) === s);
  const a = byTime(param(sp.a, 40));
  const b = byTime(param(sp.b, 40));
  const previous = shown ? versions[versions.indexOf(shown) - 1] : undefined;
  const crumbQuery = { at: shown ? atParam(shown.time) : at || undefined };
  return (
    <>
      {header}
      <div className="space-y-5">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <Breadcrumbs repoId={id} path={path} query={crumbQuery} fileLast />
          <div className="flex items-center gap-4">
            <Link href={browseHref(id, parent, crumbQuery)} className="text-sm text-brand-600 hover:underline">
              ← Folder at this time
            </Link>
            <RestoreLink caller={caller} repoId={id} path={path} at={crumbQuery.at} />
          </div>
        </div>
        {resolved?.error !== undefined && <Notice title="Cannot use this time">{resolved.error}</Notice>}
        {T && !shown && <Notice title="Not there yet">This path did not exist at {formatDate(T)}; its first version is from {formatDate(versions[0]?.time)}.</Notice>}
        {goneAtT && <Notice title="Deleted at that time">At {formatDate(T)} this path had been deleted (in the increment of {formatDate(goneAtT)}). Showing its last version.</Notice>}
        <Card title={`${versions.length} version${versions.length === 1 ? "" : "s"} of ${displayName(name)}`}>
          <VersionTable repoId={id} path={path} fileName={name} events={history.data.events} selected={shown?.time ?? null} compare={{ a: a ? atParam(a.time) : "", b: b ? atParam(b.time) : "", mode }} />
        </Card>
        {a && b && (
          <Card
            title={`Changes from ${formatDate(a.time)} to ${formatDate(b.time)}`}
            actions={
              <div className="flex gap-1 text-xs">
                {(["unified", "split"] as const).map((m) => (
                  <Link key={m} href={fileHref(id, path, { at: crumbQuery.at, a: atParam(a.time), b: atParam(b.time), mode: m === "split" ? "split" : undefined })} className={`rounded-md px-2 py-1 ${m === mode ? "bg-brand-600 text-white" : "border border-slate-300 text-slate-700 hover:bg-slate-50"}`} data-testid={`diff-mode-${m}`}>
                    {m === "unified" ? "Unified" : "Side by side"}
                  </Link>
                ))}
              </div>
            }
          >
            <DiffView
              a={{ url: fileDataUrl(id, path, atParam(a.time)), label: formatDate(a.time), size: a.size, digest: a.digest }}
              b={{ url: fileDataUrl(id, path, atParam(b.time)), label: formatDate(b.time), size: b.size, digest: b.digest }}
              mode={mode}
            />
          </Card>
        )}
        {shown && (
          <Card
            title={`Version of ${formatDate(shown.time)}`}
            actions={
              <div className="flex items-center gap-3 text-sm">
                {previous && (
                  <Link href={fileHref(id, path, { at: atParam(shown.time), a: atParam(previous.time), b: atParam(shown.time), mode: mode === "split" ? "split" : undefined })} className="text-brand-600 hover:underline" data-testid="compare-previous">
                    Compare with previous
                  </Link>
                )}
                {shown.type === "file" && (
                  <a href={fileDataUrl(id, path, atParam(shown.time))} download={name} className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700" data-testid="download-shown">
                    Download
                  </a>
                )}
              </div>
            }
          >
            <dl className="mb-4 grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
              <Meta label="Type" value={shown.type} />
              <Meta label="Size" value={formatBytes(shown.size)} />
              <Meta label="Modified" value={formatDate(shown.mtime)} />
              <Meta label="Mode" value={shown.mode !== null ? `0${(shown.mode & 0o7777).toString(8)}` : "—"} />
            </dl>
            {shown.type === "file" ? (
              <FilePreview url={fileDataUrl(id, path, atParam(shown.time))} name={name} size={shown.size} />
            ) : shown.type === "symlink" ? (
              <p className="font-mono text-sm">Symbolic link → {displayName(shown.linkTarget ?? "")}</p>
            ) : shown.type === "dir" ? (
              <Link href={browseHref(id, path, { at: atParam(shown.time) })} className="text-brand-600 hover:underline">Browse this folder</Link>
            ) : (
              <p className="text-sm text-slate-600">Special file ({shown.type}): nothing to preview.</p>
            )}
          </Card>
        )}
      </div>
    </>
  );
}

function Meta({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="font-medium tabular-nums">{value}</dd>
    </div>
  );
}
