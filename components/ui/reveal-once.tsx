"use client";
// Shows a secret (password, token) once, with a copy button and a warning that it will not be shown again.
import { useState } from "react";

export function RevealOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="rounded-md border border-amber-300 bg-amber-50 p-3">
      <p className="text-sm font-medium text-amber-900">{label} (shown only now: copy it)</p>
      <div className="mt-2 flex items-center gap-2">
        <code className="rounded bg-white px-2 py-1 font-mono text-sm" data-testid="revealed-secret">
          {value}
        </code>
        <button
          type="button"
          className="text-sm text-brand-600 hover:underline"
          onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
