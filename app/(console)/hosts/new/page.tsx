import type { Metadata } from "next";
import { pageCallerWithRole } from "@/lib/auth/page";
import { agentChoices } from "@/lib/data/hosts";
import { Card, PageHeader } from "@/components/ui";
import { HostForm } from "@/components/hosts/host-form";
import { createHostAction } from "../actions";

export const metadata: Metadata = { title: "New host" };

export default async function NewHostPage() {
  const caller = await pageCallerWithRole("admin");
  const agents = await agentChoices(caller);
  const local = agents.find((a) => a.name === "local");
  return (
    <>
      <PageHeader title="New host" />
      <Card>
        <HostForm action={createHostAction} agents={agents} submit="Create host" values={{ name: "", address: "", sshPort: 22, sshUser: "root", agentId: local?.id ?? null, description: "", transport: "ssh" }} />
      </Card>
    </>
  );
}
