"use client";
// Diff of two versions in the browser: unified or side by side for text, "binary files differ" otherwise.
import { useEffect, useState } from "react";
import { decodeText, looksLikeText, trimPartialUtf8 } from "@/lib/preview/text";
import { diffStats, sideBySideRows, unifiedRows } from "@/lib/preview/diff";
import { formatBytes } from "@/lib/preview/format";
import { fetchHead } from "./fetch-head";

const DIFF_CAP = 512 * 1024;

export interface DiffSide {
  url: string;
  label: string;
  size: number;
  digest: string | null;
}

type Loaded = { texts: [string, string] | null; truncated: boolean } | { error: string };

export function DiffView({ a, b, mode }: { a: DiffSide; b: DiffSide; mode: "unified" | "split" }) {
  const same = a.digest !== null && a.digest === b.digest && a.size === b.size;
  const tooBig = a.size > DIFF_CAP * 8 || b.size > DIFF_CAP * 8;
  const key = `${a.url}|${b.url}`;
  const [state, setState] = useState<{ key: string; loaded?: Loaded }>({ key });
  useEffect(() => {
    if (same || tooBig) return;
    const ctl = new AbortController();
    Promise.all([fetchHead(a.url, DIFF_CAP, ctl.signal), fetchHead(b.url, DIFF_CAP, ctl.signal)]).then(
      ([ha, hb]) => {
        const text = looksLikeText(ha.bytes) && looksLikeText(hb.bytes);
        const decode = (x: Uint8Array) => decodeText(trimPartialUtf8(x)) ?? "";
        setState({ key, loaded: { texts: text ? [decode(ha.bytes), decode(hb.bytes)] : null, truncated: !ha.complete || !hb.complete } });
      },
      (e: Error) => !ctl.signal.aborted && setState({ key, loaded: { error: e.message } }),
    );
    return () => ctl.abort();
  }, [a.url, b.url, key, same, tooBig]);

  if (same) return <p className="text-sm text-slate-600" data-testid="diff-identical">The two versions have identical contents ({formatBytes(a.size)}).</p>;
  if (tooBig) return <BinaryDiffers a={a} b={b} reason="too large to compare in the browser" />;
  const loaded = state.key === key ? state.loaded : undefined;
  if (!loaded) return <p className="animate-pulse text-sm text-slate-500">Comparing…</p>;
  if ("error" in loaded) return <p className="text-sm text-red-700">{loaded.error}</p>;
  if (!loaded.texts) return <BinaryDiffers a={a} b={b} />;
  const [oldText, newText] = loaded.texts;
  const stats = diffStats(oldText, newText);
  return (
    <div className="space-y-2" data-testid="diff">
      <p className="text-sm text-slate-600">
        <span className="font-medium text-green-700">+{stats.added}</span> <span className="font-medium text-red-700">−{stats.removed}</span> lines
        {loaded.truncated && <span className="ml-2 text-amber-700">(compared the first {formatBytes(DIFF_CAP)} of each)</span>}
      </p>
      {stats.added + stats.removed === 0 ? (
        <p className="text-sm text-slate-600">No line differs.</p>
      ) : mode === "split" ? (
        <SplitDiff oldText={oldText} newText={newText} a={a.label} b={b.label} />
      ) : (
        <UnifiedDiff oldText={oldText} newText={newText} />
      )}
    </div>
  );
}

function BinaryDiffers({ a, b, reason }: { a: DiffSide; b: DiffSide; reason?: string }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm" data-testid="diff-binary">
      <p className="font-medium">Binary files differ{reason ? ` (${reason})` : ""}</p>
      <p className="mt-1 text-slate-600">
        {a.label}: {formatBytes(a.size)} · {b.label}: {formatBytes(b.size)} ({b.size - a.size >= 0 ? "+" : "−"}
        {formatBytes(Math.abs(b.size - a.size))})
      </p>
    </div>
  );
}

const rowTone = { add: "bg-green-50", del: "bg-red-50", same: "", hunk: "bg-sky-50 text-sky-800", change: "", };
const num = "w-12 select-none px-2 text-right align-top text-slate-400";

function UnifiedDiff({ oldText, newText }: { oldText: string; newText: string }) {
  const rows = unifiedRows(oldText, newText);
  return (
    <div className="max-h-[70vh] overflow-auto rounded-md border border-slate-200" data-testid="diff-unified">
      <table className="w-full border-collapse font-mono text-[12.5px] leading-5">
        <tbody>
          {rows.map((r, i) =>
            r.kind === "hunk" ? (
              <tr key={i} className={rowTone.hunk}>
                <td colSpan={3} className="px-2">{r.text}</td>
              </tr>
            ) : (
              <tr key={i} className={rowTone[r.kind]}>
                <td className={num}>{r.oldNo ?? ""}</td>
                <td className={num}>{r.newNo ?? ""}</td>
                <td className="px-2 whitespace-pre">
                  <span className="select-none text-slate-400">{r.kind === "add" ? "+" : r.kind === "del" ? "-" : " "}</span>
                  {r.text}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

function SplitDiff({ oldText, newText, a, b }: { oldText: string; newText: string; a: string; b: string }) {
  const rows = sideBySideRows(oldText, newText);
  const left = (k: string) => (k === "del" || k === "change" ? "bg-red-50" : "");
  const right = (k: string) => (k === "add" || k === "change" ? "bg-green-50" : "");
  return (
    <div className="max-h-[70vh] overflow-auto rounded-md border border-slate-200" data-testid="diff-split">
      <table className="w-full table-fixed border-collapse font-mono text-[12.5px] leading-5">
        <thead className="sticky top-0 bg-slate-100 text-left font-sans text-xs text-slate-600">
          <tr>
            <th className="w-12" />
            <th className="px-2 py-1">{a}</th>
            <th className="w-12" />
            <th className="px-2 py-1">{b}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td className={`${num} ${left(r.kind)}`}>{r.left?.no ?? ""}</td>
              <td className={`px-2 whitespace-pre-wrap break-all ${left(r.kind)}`}>{r.left?.text ?? ""}</td>
              <td className={`${num} border-l border-slate-200 ${right(r.kind)}`}>{r.right?.no ?? ""}</td>
              <td className={`px-2 whitespace-pre-wrap break-all ${right(r.kind)}`}>{r.right?.text ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
