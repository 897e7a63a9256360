// Every version of one path: time, change, size, mtime; pick one to preview, two to compare, any to download.
import Link from "next/link";
import { Badge, Button, formatDate } from "@/components/ui";
import { formatBytes } from "@/lib/preview/format";
import { atParam, fileDataUrl, fileHref } from "./urls";

export type VersionEvent =
  | { change: "new" | "changed"; time: Date; type: string; size: number; mtime: Date | null; digest: string | null }
  | { change: "deleted"; time: Date };

interface Props {
  repoId: string;
  path: string;
  fileName: string;
  events: VersionEvent[];
  /** validFrom of the previewed version. */
  selected: Date | null;
  compare: { a: string; b: string; mode: string };
}

const tone = { new: "blue", changed: "green", deleted: "red" } as const;

export function VersionTable({ repoId, path, fileName, events, selected, compare }: Props) {
  const newestFirst = [...events].reverse();
  return (
    <form action={fileHref(repoId, path)} method="get" data-testid="versions">
      {selected && <input type="hidden" name="at" value={atParam(selected)} />}
      {compare.mode === "split" && <input type="hidden" name="mode" value="split" />}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              <th className="px-3 py-2 font-medium">Increment</th>
              <th className="px-3 py-2 font-medium">Change</th>
              <th className="px-3 py-2 text-right font-medium">Size</th>
              <th className="px-3 py-2 font-medium">Modified</th>
              <th className="px-2 py-2 text-center font-medium" title="Compare from">A</th>
              <th className="px-2 py-2 text-center font-medium" title="Compare to">B</th>
              <th className="px-3 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {newestFirst.map((e) => {
              const at = atParam(e.time);
              const isSelected = selected?.getTime() === e.time.getTime() && e.change !== "deleted";
              return (
                <tr key={`${e.change}${at}`} className={isSelected ? "bg-brand-50" : "hover:bg-slate-50"} data-testid="version-row" data-change={e.change}>
                  <td className="px-3 py-1.5 tabular-nums">{formatDate(e.time)}</td>
                  <td className="px-3 py-1.5">
                    <Badge tone={tone[e.change]}>{e.change}</Badge>
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{e.change !== "deleted" && e.type === "file" ? formatBytes(e.size) : ""}</td>
                  <td className="px-3 py-1.5 tabular-nums text-slate-600">{e.change !== "deleted" && e.mtime ? formatDate(e.mtime) : ""}</td>
                  <td className="px-2 py-1.5 text-center">{e.change !== "deleted" && <input type="radio" name="a" value={at} defaultChecked={compare.a === at} aria-label={`Compare from ${at}`} />}</td>
                  <td className="px-2 py-1.5 text-center">{e.change !== "deleted" && <input type="radio" name="b" value={at} defaultChecked={compare.b === at} aria-label={`Compare to ${at}`} />}</td>
                  <td className="px-3 py-1.5 text-right whitespace-nowrap">
                    {e.change !== "deleted" && (
                      <span className="flex justify-end gap-3">
                        <Link href={fileHref(repoId, path, { at })} className="text-brand-600 hover:underline" data-testid="preview-version">
                          {isSelected ? "Previewing" : "Preview"}
                        </Link>
                        {e.type === "file" && (
                          <a href={fileDataUrl(repoId, path, at)} download={fileName} className="text-brand-600 hover:underline" data-testid="download-version">
                            Download
                          </a>
                        )}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="mt-2 flex justify-end">
        <Button type="submit" variant="secondary" data-testid="compare">
          Compare A → B
        </Button>
      </div>
    </form>
  );
}
