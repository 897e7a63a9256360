// An inline message for expected problems on a page (bad time spec, nothing at that time), not an error page.
export function Notice({ tone = "amber", title, children }: { tone?: "amber" | "red" | "slate"; title: string; children?: React.ReactNode }) {
  const tones = { amber: "border-amber-200 bg-amber-50 text-amber-900", red: "border-red-200 bg-red-50 text-red-900", slate: "border-slate-200 bg-white text-slate-700" };
  return (
    <div className={`rounded-lg border px-4 py-3 text-sm ${tones[tone]}`} role="status" data-testid="notice">
      <p className="font-medium">{title}</p>
      {children && <div className="mt-1">{children}</div>}
    </div>
  );
}
