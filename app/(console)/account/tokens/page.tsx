import type { Metadata } from "next";
import { pageCaller } from "@/lib/auth/page";
import { listTokens } from "@/lib/data/tokens";
import { Badge, Card, EmptyState, Field, Input, PageHeader, Table, formatDate } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { createTokenAction, revokeTokenAction } from "../actions";

export const metadata: Metadata = { title: "API tokens" };

function state(t: { revokedAt: Date | null; expiresAt: Date | null }) {
  if (t.revokedAt) return <Badge tone="red">revoked</Badge>;
  if (t.expiresAt && t.expiresAt <= new Date()) return <Badge tone="amber">expired</Badge>;
  return <Badge tone="green">active</Badge>;
}

export default async function TokensPage() {
  const caller = await pageCaller();
  const tokens = await listTokens(caller);
  return (
    <>
      <PageHeader title="API tokens" subtitle="For scripts: send Authorization: Bearer <token> to /api/v1. A token acts as you, with your role." />
      <div className="space-y-6">
        <Card title="New token">
          <div className="max-w-md">
            <ActionForm action={createTokenAction} submit="Create token" variant="primary" testId="token-form">
              <Field label="Name" name="name">
                <Input name="name" placeholder="e.g. nightly-report" />
              </Field>
              <Field label="Expires on (optional)" name="expiresAt">
                <Input name="expiresAt" type="date" />
              </Field>
            </ActionForm>
          </div>
        </Card>
        {tokens.length === 0 ? (
          <EmptyState title="You have no API token" />
        ) : (
          <Table head={["Name", "Starts with", "State", "Expires", "Last used", "Created", ""]}>
            {tokens.map((t) => (
              <tr key={t.id} data-testid="token-row">
                <td className="px-4 py-2 font-medium">{t.name}</td>
                <td className="px-4 py-2 font-mono text-xs">{t.prefix}…</td>
                <td className="px-4 py-2">{state(t)}</td>
                <td className="px-4 py-2">{t.expiresAt ? formatDate(t.expiresAt) : "never"}</td>
                <td className="px-4 py-2">{formatDate(t.lastUsedAt)}</td>
                <td className="px-4 py-2">{formatDate(t.createdAt)}</td>
                <td className="px-4 py-2">{!t.revokedAt && <ActionForm action={revokeTokenAction} hidden={{ id: t.id }} submit="Revoke" variant="danger" />}</td>
              </tr>
            ))}
          </Table>
        )}
      </div>
    </>
  );
}
