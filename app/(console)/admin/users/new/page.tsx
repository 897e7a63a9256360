import type { Metadata } from "next";
import { pageCallerWithRole } from "@/lib/auth/page";
import { PASSWORD_RULE } from "@/lib/auth/password";
import { Card, PageHeader } from "@/components/ui";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { createUserAction } from "../actions";

export const metadata: Metadata = { title: "New user" };

export default async function NewUserPage() {
  await pageCallerWithRole("admin");
  return (
    <>
      <PageHeader title="New user" />
      <Card>
        <CreateUserForm action={createUserAction} passwordRule={PASSWORD_RULE} />
      </Card>
    </>
  );
}
