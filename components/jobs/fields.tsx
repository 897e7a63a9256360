// Small inputs the job form needs beyond components/ui: a one-per-line textarea and a labelled checkbox.
import type { InputHTMLAttributes, TextareaHTMLAttributes } from "react";

export function Textarea(props: TextareaHTMLAttributes<HTMLTextAreaElement> & { name: string }) {
  return <textarea id={props.name} rows={3} className="block w-full rounded-md border border-slate-300 px-3 py-1.5 font-mono text-sm focus:border-brand-600 focus:outline-none" {...props} />;
}

export function Checkbox({ label, ...props }: InputHTMLAttributes<HTMLInputElement> & { name: string; label: string }) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" id={props.name} value="on" {...props} />
      {label}
    </label>
  );
}

/** Field errors of a dotted key, as the job schema reports them. */
export function Errors({ name, errors }: { name: string; errors?: string[] }) {
  return (
    <>
      {errors?.map((e) => (
        <p key={e} className="text-sm text-red-600" data-testid={`error-${name}`}>
          {e}
        </p>
      ))}
    </>
  );
}

/** One value per line, for textareas. */
export const joinLines = (v: readonly string[] | undefined) => (v ?? []).join("\n");
