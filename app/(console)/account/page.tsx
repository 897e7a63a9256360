import type { Metadata } from "next";
import Link from "next/link";
import { pageCaller } from "@/lib/auth/page";
import { PASSWORD_RULE } from "@/lib/auth/password";
import { Card, Field, Input, PageHeader } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { changePasswordAction } from "./actions";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const caller = await pageCaller();
  return (
    <>
      <PageHeader
        title="Your account"
        subtitle={`${caller.email} · ${caller.role}`}
        actions={
          <Link href="/account/tokens" className="text-sm font-medium text-brand-600 hover:underline">
            API tokens →
          </Link>
        }
      />
      <Card title="Change password">
        <div className="max-w-md">
          <ActionForm action={changePasswordAction} submit="Change password" variant="primary" testId="password-form">
            <Field label="Current password" name="current">
              <Input name="current" type="password" autoComplete="current-password" required />
            </Field>
            <Field label="New password" name="password" hint={PASSWORD_RULE}>
              <Input name="password" type="password" autoComplete="new-password" required />
            </Field>
            <Field label="New password again" name="confirm">
              <Input name="confirm" type="password" autoComplete="new-password" required />
            </Field>
          </ActionForm>
        </div>
      </Card>
    </>
  );
}
