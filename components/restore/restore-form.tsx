"use client";
// The restore form: target host, repository path, increment, target path (the original path filled in while the
// user has not typed one), overwrite with its warning. Submitting queues the run and opens its page.
import { useActionState, useState } from "react";
import type { ActionState } from "@/lib/actions/define-action";
import { Button, Field, FormMessage, Input, Select, formatDate } from "@/components/ui";

type Action = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

export interface RestoreFormProps {
  action: Action;
  repositoryId: string;
  hosts: { id: string; name: string; transport: string }[];
  defaultHostId: string | null;
  /** Where the repository's root was backed up from, when known (the default target is below it). */
  sourceRoot: string | null;
  path: string;
  /** Increments newest first, as `at` values and times. */
  increments: { at: string; time: Date; kind: string }[];
  /** The `at` value of the increment the page's time spec resolved to. */
  selectedAt: string;
}

/** The original path of a repository path (below the source root), or "" when unknown. */
function originalOf(root: string | null, path: string): string {
  if (root === null) return "";
  const clean = path.replace(/^\/+|\/+$/g, "");
  return clean ? `${root.replace(/\/+$/, "")}/${clean}` : root;
}

export function RestoreForm(p: RestoreFormProps) {
  const [state, formAction, pending] = useActionState(p.action, undefined);
  const [path, setPath] = useState(p.path);
  const [target, setTarget] = useState<string | null>(null);
  const [overwrite, setOverwrite] = useState(false);
  const errors = state?.fieldErrors ?? {};
  const shownTarget = target ?? originalOf(p.sourceRoot, path);
  return (
    <form action={formAction} className="max-w-2xl space-y-4" data-testid="restore-form">
      <input type="hidden" name="repositoryId" value={p.repositoryId} />
      <Field label="Restore to host" name="host" errors={errors.host} hint="A host reached through the same agent as this repository.">
        <Select name="host" defaultValue={p.defaultHostId ?? undefined}>
          {p.hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
              {h.transport === "local" ? " (the agent's own machine)" : ""}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Path in the repository" name="path" errors={errors.path} hint="Empty restores everything.">
        <Input name="path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="(everything)" />
      </Field>
      <Field label="As of the increment of" name="at" errors={errors.at}>
        <Select name="at" defaultValue={p.selectedAt}>
          {p.increments.map((i, n) => (
            <option key={i.at} value={i.at}>
              {formatDate(i.time)} ({i.kind}){n === 0 ? " · latest" : ""}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="Target path"
        name="target"
        errors={errors.target}
        hint={p.sourceRoot ? "Filled in with the original path; change it to restore elsewhere." : "The original path of this repository is not known: enter an absolute path."}
      >
        <Input name="target" value={shownTarget} onChange={(e) => setTarget(e.target.value)} placeholder="/absolute/path" required />
      </Field>
      <div className="space-y-1">
        <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
          <input type="checkbox" name="overwrite" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} data-testid="overwrite" />
          Overwrite existing files at the target
        </label>
        <p className={`text-xs ${overwrite ? "rounded-md bg-amber-50 px-2 py-1 text-amber-900" : "text-slate-500"}`} data-testid="overwrite-warning">
          {overwrite
            ? "Files at the target with the same names are replaced by the restored versions and cannot be recovered (unless they are backed up). Other files there are left alone."
            : "Without it, nothing at the target is replaced: each file that already exists is refused and named in the run's log, and the run does not end as a success."}
        </p>
        {errors.overwrite?.map((e) => (
          <p key={e} className="text-sm text-red-600" data-testid="error-overwrite">
            {e}
          </p>
        ))}
      </div>
      <Button type="submit" disabled={pending || p.hosts.length === 0}>
        {pending ? "Starting…" : "Start restore"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
