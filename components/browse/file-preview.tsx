"use client";
// Preview of one version in the browser: text (capped) with colouring, images, PDFs in the browser's
// viewer, anything else as a hex head. Bytes come from the file endpoint with the session cookie.
import { useEffect, useState } from "react";
import { previewKindFor } from "@/lib/preview/content-type";
import { decodeText, looksLikeText, splitLines, trimPartialUtf8 } from "@/lib/preview/text";
import { hexDump } from "@/lib/preview/hex";
import { languageFor } from "@/lib/preview/highlight";
import { formatBytes } from "@/lib/preview/format";
import { fetchHead, type Head } from "./fetch-head";
import { CodeView } from "./code-view";

const TEXT_CAP = 256 * 1024;
const HEX_HEAD = 512;
const PDF_CAP = 50 * 1024 * 1024;

export function FilePreview({ url, name, size }: { url: string; name: string; size: number }) {
  const kind = previewKindFor(name);
  if (kind === "image") {
    return (
      <div className="flex justify-center rounded-md border border-slate-200 bg-[repeating-conic-gradient(#f1f5f9_0_25%,#fff_0_50%)] bg-[length:16px_16px] p-4">
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={url} alt={name} className="max-h-[60vh] max-w-full" data-testid="image-preview" />
      </div>
    );
  }
  if (kind === "pdf") return <PdfPreview url={url} name={name} size={size} />;
  return <BytesPreview url={url} name={name} size={size} />;
}

/**
 * PDFs go to the browser's viewer through a blob URL: the file endpoint answers as an attachment, which an
 * <iframe> would download instead of showing.
 */
function PdfPreview({ url, name, size }: { url: string; name: string; size: number }) {
  const [state, setState] = useState<{ url: string; blob?: string; error?: string }>({ url });
  const tooBig = size > PDF_CAP;
  useEffect(() => {
    if (tooBig) return;
    const ctl = new AbortController();
    let objectUrl: string | undefined;
    fetchHead(url, PDF_CAP, ctl.signal).then(
      (head) => {
        objectUrl = URL.createObjectURL(new Blob([head.bytes as BlobPart], { type: "application/pdf" }));
        setState({ url, blob: objectUrl });
      },
      (e: Error) => !ctl.signal.aborted && setState({ url, error: e.message }),
    );
    return () => {
      ctl.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url, tooBig]);
  if (tooBig) return <p className="text-sm text-slate-600">This PDF is {formatBytes(size)}: download it to read it.</p>;
  if (state.error) return <p className="text-sm text-red-700" data-testid="preview-error">{state.error}</p>;
  if (state.url !== url || !state.blob) return <p className="animate-pulse text-sm text-slate-500">Loading preview…</p>;
  return <iframe src={state.blob} title={name} className="h-[70vh] w-full rounded-md border border-slate-200" data-testid="pdf-preview" />;
}

function BytesPreview({ url, name, size }: { url: string; name: string; size: number }) {
  const [state, setState] = useState<{ url: string; head?: Head; error?: string }>({ url });
  useEffect(() => {
    const ctl = new AbortController();
    fetchHead(url, TEXT_CAP, ctl.signal).then(
      (head) => setState({ url, head }),
      (e: Error) => !ctl.signal.aborted && setState({ url, error: e.message }),
    );
    return () => ctl.abort();
  }, [url]);
  if (state.url !== url || (!state.head && !state.error)) return <p className="animate-pulse text-sm text-slate-500">Loading preview…</p>;
  if (state.error) return <p className="text-sm text-red-700" data-testid="preview-error">{state.error}</p>;
  const head = state.head!;
  if (looksLikeText(head.bytes)) {
    const lines = splitLines(decodeText(trimPartialUtf8(head.bytes)) ?? "");
    return (
      <div className="space-y-2">
        {!head.complete && <p className="text-xs text-amber-700">Showing the first {formatBytes(TEXT_CAP)} of {formatBytes(size)}. Download the file for the rest.</p>}
        {lines.length === 0 ? <p className="text-sm text-slate-500">This version is empty.</p> : <CodeView lines={lines} language={languageFor(name)} />}
      </div>
    );
  }
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-600">Binary file, {formatBytes(size)}. First {Math.min(HEX_HEAD, head.bytes.length)} bytes:</p>
      <pre className="max-h-[60vh] overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-[12px] leading-5" data-testid="hex-preview">
        {hexDump(head.bytes, HEX_HEAD)
          .map((l) => `${l.offset}  ${l.hex.padEnd(49)}  |${l.ascii}|`)
          .join("\n")}
      </pre>
    </div>
  );
}
