// Full-width panel for 403 / 404 / error states.
import Link from "next/link";

export function ErrorPanel({ code, title, detail, children }: { code: string; title: string; detail?: string; children?: React.ReactNode }) {
  return (
    <div className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 text-center shadow-sm" data-testid={`error-${code}`}>
      <p className="text-sm font-semibold text-brand-600">{code}</p>
      <h1 className="mt-2 text-xl font-semibold">{title}</h1>
      {detail && <p className="mt-2 text-slate-600">{detail}</p>}
      {children}
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
