"use client";
// The job form's questions to the host's agent: "Test connection" (each step with its result and time, like
// `rdiff-backup --test-server`) and the preview of what the include/exclude rules select on the real host.
import { useActionState, startTransition, type RefObject } from "react";
import { previewAction, testConnectionAction, type PreviewState, type TestConnectionState } from "@/app/(console)/hosts/[id]/jobs/ssh-actions";
import { Button } from "@/components/ui";
import { Errors } from "./fields";

const STEP_LABELS: Record<string, string> = { connect: "Connect", "host-key": "Host key", authenticate: "Log in", list: "List first source path" };

function useFormAction<S>(action: (prev: S | undefined, form: FormData) => Promise<S>, formRef: RefObject<HTMLFormElement | null>) {
  const [state, run, pending] = useActionState(action, undefined);
  const start = () =>
    startTransition(() => {
      if (formRef.current) run(new FormData(formRef.current));
    });
  return [state, start, pending] as const;
}

export function TestConnection({ formRef }: { formRef: RefObject<HTMLFormElement | null> }) {
  const [state, start, pending] = useFormAction<TestConnectionState>(testConnectionAction, formRef);
  const r = state?.result;
  return (
    <div className="space-y-2 text-sm" data-testid="test-connection">
      <div className="flex items-center gap-3">
        <Button type="button" variant="secondary" onClick={start} disabled={pending}>
          {pending ? "Testing…" : "Test connection"}
        </Button>
        <span className="text-xs text-slate-500">Connects from the agent, checks the host key, logs in and lists the first source path.</span>
      </div>
      {state?.message && !r && <Errors name="test-connection" errors={[state.message]} />}
      {r && (
        <>
          <p className={r.ok ? "font-medium text-green-700" : "font-medium text-red-700"} data-testid="test-connection-result">
            {r.ok ? "Connection works" : "Connection failed"}
          </p>
          <ol className="space-y-1">
            {r.steps.map((s) => (
              <li key={s.step} className="flex gap-2" data-testid={`test-step-${s.step}`} data-ok={s.ok ? "true" : "false"}>
                <span className={s.ok ? "text-green-700" : "text-red-700"} aria-label={s.ok ? "passed" : "failed"}>
                  {s.ok ? "✓" : "✗"}
                </span>
                <span className="w-40 shrink-0 font-medium">{STEP_LABELS[s.step] ?? s.step}</span>
                <span className="break-all">{s.message}</span>
                <span className="ml-auto shrink-0 text-xs text-slate-500">{s.durationMs} ms</span>
              </li>
            ))}
          </ol>
          {r.entries && r.entries.length > 0 && <p className="break-all font-mono text-xs text-slate-600" data-testid="test-connection-entries">{r.entries.join("  ")}</p>}
        </>
      )}
    </div>
  );
}

export function SelectionPreview({ formRef }: { formRef: RefObject<HTMLFormElement | null> }) {
  const [state, start, pending] = useFormAction<PreviewState>(previewAction, formRef);
  const p = state?.preview;
  return (
    <div className="space-y-2 text-sm" data-testid="selection-preview">
      <div className="flex items-center gap-3">
        <Button type="button" variant="secondary" onClick={start} disabled={pending}>
          {pending ? "Listing…" : "Preview"}
        </Button>
        <span className="text-xs text-slate-500">Lists the first 200 paths these sources and rules select on the host (via its agent).</span>
      </div>
      {state?.message && !p && <Errors name="preview" errors={[state.message]} />}
      {p && (
        <>
          <p data-testid="preview-summary">
            {p.entries.length === 0 ? "Nothing is selected." : `${p.entries.length}${p.truncated ? "+" : ""} selected`} · {p.scanned} looked at, {p.excluded} excluded
            {p.truncated ? " · stopped at the first 200" : ""}
          </p>
          {p.entries.length > 0 && (
            <ul className="max-h-72 overflow-y-auto rounded bg-slate-50 p-2 font-mono text-xs" data-testid="preview-entries">
              {p.entries.map((e) => (
                <li key={e.path} className="flex gap-2">
                  <span className="break-all">
                    {e.path}
                    {e.type === "dir" ? "/" : ""}
                  </span>
                  {e.type === "file" && <span className="ml-auto shrink-0 text-slate-500">{e.size.toLocaleString("en")} B</span>}
                  {e.type !== "file" && e.type !== "dir" && <span className="ml-auto shrink-0 text-slate-500">{e.type}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
