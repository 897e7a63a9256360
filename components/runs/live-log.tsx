"use client";
// The run's log: the stored lines at once, then new lines and status over SSE (/api/v1/runs/{id}/events) until the
// run is final; without EventSource or after a failure the stored log stays shown with a note.
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { Badge } from "@/components/ui";
import { formatBytes, runTone } from "./format";

interface LiveState {
  status: string;
  progress: { items: number; bytes: number; currentPath?: string } | null;
  droppedLogLines: number;
}

export function LiveLog({ runId, initialLines, initial, final }: { runId: string; initialLines: string[]; initial: LiveState; final: boolean }) {
  const [lines, setLines] = useState(initialLines);
  const [state, setState] = useState(initial);
  const [live, setLive] = useState<"connecting" | "live" | "ended" | "offline">(final ? "ended" : "connecting");
  const box = useRef<HTMLPreElement>(null);
  const router = useRouter();

  useEffect(() => {
    if (final || typeof EventSource === "undefined") return;
    const es = new EventSource(`/api/v1/runs/${runId}/events?from=${initialLines.length}`);
    es.addEventListener("open", () => setLive("live"));
    es.addEventListener("log", (e) => {
      const { lines: more } = JSON.parse((e as MessageEvent).data) as { lines: string[] };
      setLines((prev) => [...prev, ...more]);
    });
    es.addEventListener("status", (e) => setState(JSON.parse((e as MessageEvent).data) as LiveState));
    es.addEventListener("end", () => {
      es.close();
      setLive("ended");
      router.refresh();
    });
    es.addEventListener("error", () => setLive((s) => (s === "ended" ? s : "offline")));
    return () => es.close();
    // The stream starts once per page load; later lines arrive through it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runId, final]);

  // A run that became final by a page refresh (e.g. a queued run cancelled) shows the server's state, not the stream's.
  const shown = final ? initial : state;
  const liveShown = final ? "ended" : live;

  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
        <span data-testid="live-status">
          <Badge tone={runTone(shown.status)}>{shown.status}</Badge>
        </span>
        <span data-testid="live-state">{liveShown === "live" ? "live" : liveShown === "connecting" ? "connecting…" : liveShown === "offline" ? "reconnecting… (stored log shown)" : "finished"}</span>
        {shown.progress && shown.status === "running" && (
          <span data-testid="run-progress">
            {shown.progress.items} items · {formatBytes(shown.progress.bytes)}
            {shown.progress.currentPath ? ` · ${shown.progress.currentPath}` : ""}
          </span>
        )}
        <span>{lines.length} lines{shown.droppedLogLines ? ` (${shown.droppedLogLines} dropped)` : ""}</span>
      </div>
      <pre ref={box} data-testid="run-log" className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-900 p-3 font-mono text-xs leading-5 text-slate-100">
        {lines.length ? lines.join("\n") : "No log lines yet."}
      </pre>
    </div>
  );
}
