// The browse view's controls as a plain GET form (works without JavaScript; the result is a permalink).
import { Button } from "@/components/ui";
import { archiveUrl } from "./urls";

interface Props {
  action: string;
  at: string;
  filter: string;
  showDeleted: boolean;
  sort?: string;
  order?: string;
  /** Archive downloads of this folder at the resolved time (absent when the time did not resolve). */
  download?: { repoId: string; path: string; at: string };
  /** More actions on this folder at that time, shown after the downloads (e.g. "Restore to host…"). */
  actions?: React.ReactNode;
}

const input = "rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-600 focus:outline-none";
const linkButton = "inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50";

export function ViewToolbar({ action, at, filter, showDeleted, sort, order, download, actions }: Props) {
  return (
    <div className="flex flex-wrap items-end gap-3">
      <form action={action} method="get" className="flex flex-wrap items-end gap-2" data-testid="view-form">
        <label className="flex flex-col text-xs font-medium text-slate-600">
          At time
          <input name="at" defaultValue={at} placeholder="latest, 3D, 2B, a date" className={`${input} mt-1 w-52 font-mono`} aria-label="At time" />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Filter names
          <input name="filter" defaultValue={filter} placeholder="part of a name" className={`${input} mt-1 w-44`} aria-label="Filter names" />
        </label>
        <label className="flex items-center gap-1.5 pb-2 text-sm text-slate-700">
          <input type="checkbox" name="deleted" value="1" defaultChecked={showDeleted} data-testid="show-deleted" />
          Show deleted
        </label>
        {sort && <input type="hidden" name="sort" value={sort} />}
        {order && <input type="hidden" name="order" value={order} />}
        <Button type="submit" variant="secondary">
          Apply
        </Button>
      </form>
      {download && (
        <div className="ml-auto flex gap-2">
          <a href={archiveUrl(download.repoId, download.path, download.at, "zip")} className={linkButton} download data-testid="download-zip">
            Download .zip
          </a>
          <a href={archiveUrl(download.repoId, download.path, download.at, "tar.gz")} className={linkButton} download data-testid="download-targz">
            .tar.gz
          </a>
          {actions}
        </div>
      )}
    </div>
  );
}
