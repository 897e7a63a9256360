import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { pageCallerWithRole, orNotFound } from "@/lib/auth/page";
import { getUser } from "@/lib/data/users";
import { listHosts } from "@/lib/data/hosts";
import { PASSWORD_RULE } from "@/lib/auth/password";
import { Badge, Card, Input, PageHeader, Select, formatDate } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { assignHostsAction, changeRoleAction, deleteUserAction, resetPasswordAction, setDisabledAction } from "../actions";

export const metadata: Metadata = { title: "User" };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const caller = await pageCallerWithRole("admin");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/.test(id)) notFound();
  const user = await orNotFound(getUser(caller, id));
  const hosts = await listHosts(caller);
  const assigned = new Set(user.hosts.map((h) => h.hostId));
  return (
    <>
      <PageHeader
        title={user.name}
        subtitle={`${user.email} · created ${formatDate(user.createdAt)} · last sign-in ${formatDate(user.lastLoginAt)}`}
        actions={user.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
      />
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Role">
          <ActionForm action={changeRoleAction} hidden={{ id }} submit="Change role" testId="role-form">
            <Select name="role" defaultValue={user.role} aria-label="Role">
              <option value="admin">admin</option>
              <option value="operator">operator</option>
              <option value="viewer">viewer</option>
            </Select>
          </ActionForm>
        </Card>
        <Card title="Access">
          <ActionForm
            action={setDisabledAction}
            hidden={{ id, disabled: String(!user.disabled) }}
            submit={user.disabled ? "Enable user" : "Disable user"}
            variant={user.disabled ? "primary" : "danger"}
            testId="disable-form"
          >
            <p className="text-sm text-slate-600">
              {user.disabled ? "This user cannot sign in." : "Disabling ends this user's sessions and API tokens at once."}
            </p>
          </ActionForm>
        </Card>
        <Card title="Password">
          <ActionForm action={resetPasswordAction} hidden={{ id }} submit="Reset password" testId="reset-form">
            <Select name="passwordMode" defaultValue="generate" aria-label="Password mode">
              <option value="generate">Generate a new password and show it once</option>
              <option value="set">Use the password below</option>
            </Select>
            <Input name="password" type="password" placeholder="New password (when set by you)" autoComplete="new-password" />
            <p className="text-xs text-slate-500">{PASSWORD_RULE}</p>
          </ActionForm>
        </Card>
        <Card title="Hosts">
          {user.role === "admin" ? (
            <p className="text-sm text-slate-600">Admins see every host.</p>
          ) : hosts.length === 0 ? (
            <p className="text-sm text-slate-600">There are no hosts yet.</p>
          ) : (
            <ActionForm action={assignHostsAction} hidden={{ id }} submit="Save host access" testId="hosts-form">
              {hosts.map((h) => (
                <label key={h.id} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="hosts" value={h.id} defaultChecked={assigned.has(h.id)} />
                  {h.name}
                </label>
              ))}
            </ActionForm>
          )}
        </Card>
        <Card title="Delete">
          <ActionForm action={deleteUserAction} hidden={{ id }} submit="Delete user" variant="danger" testId="delete-form">
            <p className="text-sm text-slate-600">Type the email address to confirm. The audit log keeps their past actions.</p>
            <Input name="confirm" placeholder={user.email} aria-label="Confirm email" autoComplete="off" />
          </ActionForm>
        </Card>
      </div>
    </>
  );
}
