import type { Metadata } from "next";
import Link from "next/link";
import { pageCallerWithRole } from "@/lib/auth/page";
import { listUsers } from "@/lib/data/users";
import { Badge, EmptyState, PageHeader, Table, formatDate } from "@/components/ui";
import { UserFilters } from "@/components/admin/user-filters";

export const metadata: Metadata = { title: "Users" };

type Search = { q?: string; role?: string; status?: string };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Search> }) {
  const caller = await pageCallerWithRole("admin");
  const sp = await searchParams;
  const role = ["admin", "operator", "viewer"].includes(sp.role ?? "") ? (sp.role as "admin") : undefined;
  const status = sp.status === "active" || sp.status === "disabled" ? sp.status : undefined;
  const users = await listUsers(caller, { q: sp.q?.slice(0, 100), role, status });
  return (
    <>
      <PageHeader
        title="Users"
        subtitle="People who can sign in, their role and the hosts they may see."
        actions={
          <Link href="/admin/users/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            New user
          </Link>
        }
      />
      <UserFilters q={sp.q ?? ""} role={role ?? ""} status={status ?? ""} />
      {users.length === 0 ? (
        <EmptyState title="No user matches these filters" />
      ) : (
        <Table head={["Email", "Name", "Role", "Status", "Hosts", "Last sign-in"]}>
          {users.map((u) => (
            <tr key={u.id} data-testid="user-row">
              <td className="px-4 py-2">
                <Link href={`/admin/users/${u.id}`} className="font-medium text-brand-600 hover:underline">
                  {u.email}
                </Link>
              </td>
              <td className="px-4 py-2">{u.name}</td>
              <td className="px-4 py-2">
                <Badge tone={u.role === "admin" ? "blue" : "slate"}>{u.role}</Badge>
              </td>
              <td className="px-4 py-2">{u.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}</td>
              <td className="px-4 py-2">{u.role === "admin" ? "all" : u._count.hosts}</td>
              <td className="px-4 py-2">{formatDate(u.lastLoginAt)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
