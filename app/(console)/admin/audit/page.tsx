import type { Metadata } from "next";
import Link from "next/link";
import { pageCallerWithRole } from "@/lib/auth/page";
import { AUDIT_PAGE_SIZE, listAudit } from "@/lib/data/audit";
import { Button, EmptyState, Input, PageHeader, Select, Table, formatDate } from "@/components/ui";

export const metadata: Metadata = { title: "Audit log" };

type Search = { action?: string; actor?: string; target?: string; from?: string; to?: string; page?: string };

function parseDay(s: string | undefined, endOfDay = false): Date | undefined {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const d = new Date(`${s}T${endOfDay ? "23:59:59.999" : "00:00:00"}Z`);
  return isNaN(d.getTime()) ? undefined : d;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const caller = await pageCallerWithRole("admin");
  const sp = await searchParams;
  const { rows, total, page, actions } = await listAudit(caller, {
    action: sp.action || undefined,
    actor: sp.actor?.slice(0, 100) || undefined,
    target: sp.target?.slice(0, 100) || undefined,
    from: parseDay(sp.from),
    to: parseDay(sp.to, true),
    page: Number(sp.page) || 1,
  });
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const link = (p: number) => `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(sp).filter(([, v]) => v)), page: String(p) })}`;
  return (
    <>
      <PageHeader title="Audit log" subtitle={`${total} events: who changed what, when and from where.`} />
      <form className="mb-4 flex flex-wrap items-end gap-3" method="get">
        <div className="w-48"><Select name="action" defaultValue={sp.action ?? ""} aria-label="Action">
          <option value="">All actions</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select></div>
        <div className="w-48"><Input name="actor" placeholder="Actor email" defaultValue={sp.actor} aria-label="Actor" /></div>
        <div className="w-48"><Input name="target" placeholder="Target" defaultValue={sp.target} aria-label="Target" /></div>
        <div className="w-40"><Input name="from" type="date" defaultValue={sp.from} aria-label="From" /></div>
        <div className="w-40"><Input name="to" type="date" defaultValue={sp.to} aria-label="To" /></div>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </form>
      {rows.length === 0 ? (
        <EmptyState title="No event matches these filters" />
      ) : (
        <Table head={["When", "Who", "Action", "Target", "IP", "Details"]}>
          {rows.map((r) => (
            <tr key={r.id} data-testid="audit-row">
              <td className="whitespace-nowrap px-4 py-2">{formatDate(r.at)}</td>
              <td className="px-4 py-2">{r.actorEmail ?? "system"}</td>
              <td className="px-4 py-2 font-mono text-xs">{r.action}</td>
              <td className="px-4 py-2">
                {r.targetType}: {r.targetLabel}
              </td>
              <td className="px-4 py-2">{r.ip ?? ""}</td>
              <td className="px-4 py-2 font-mono text-xs">{r.details ? JSON.stringify(r.details) : ""}</td>
            </tr>
          ))}
        </Table>
      )}
      <div className="mt-4 flex gap-4 text-sm">
        {page > 1 && <Link href={link(page - 1)}>← Newer</Link>}
        <span className="text-slate-500">
          Page {page} of {pages}
        </span>
        {page < pages && <Link href={link(page + 1)}>Older →</Link>}
      </div>
    </>
  );
}
