// The console shell: top bar with navigation by role, the signed-in user and sign-out.
import Link from "next/link";
import type { Caller } from "@/lib/auth/caller";
import { SignOutButton } from "@/components/auth/sign-out-button";

export function Shell({ caller, children }: { caller: Caller; children: React.ReactNode }) {
  const links = [
    { href: "/", label: "Dashboard" },
    { href: "/hosts", label: "Hosts" },
    { href: "/repositories", label: "Repositories" },
    { href: "/runs", label: "Runs" },
    ...(caller.role === "admin"
      ? [
          { href: "/admin/users", label: "Users" },
          { href: "/admin/agents", label: "Agents" },
          { href: "/admin/audit", label: "Audit log" },
        ]
      : []),
  ];
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3">
          <Link href="/" className="font-semibold text-brand-700">
            Strata
          </Link>
          <nav className="flex gap-4 text-sm">
            {links.map((l) => (
              <Link key={l.href} href={l.href} className="text-slate-700 hover:text-brand-600">
                {l.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <Link href="/account" className="text-slate-700 hover:text-brand-600" data-testid="current-user">
              {caller.name} <span className="text-slate-400">({caller.role})</span>
            </Link>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
