import type { Metadata } from "next";
import { pageCallerWithRole } from "@/lib/auth/page";
import { listAgents } from "@/lib/data/agents";
import { Badge, Card, EmptyState, Input, PageHeader, Table, formatDate } from "@/components/ui";
import { ActionForm } from "@/components/admin/action-form";
import { createEnrolmentTokenAction } from "./actions";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const caller = await pageCallerWithRole("admin");
  const agents = await listAgents(caller);
  return (
    <>
      <PageHeader title="Agents" subtitle="Processes on backup servers that run jobs and hold repositories." />
      <div className="space-y-6">
        {agents.length === 0 ? (
          <EmptyState title="No agent has enrolled yet" />
        ) : (
          <Table head={["Name", "Status", "Version", "Machine", "Last heartbeat", "Hosts", "Repositories"]}>
            {agents.map((a) => (
              <tr key={a.id} data-testid="agent-row">
                <td className="px-4 py-2 font-medium">{a.name}</td>
                <td className="px-4 py-2">{a.online ? <Badge tone="green">online</Badge> : <Badge tone="red">offline</Badge>}</td>
                <td className="px-4 py-2">{a.version ?? ""}</td>
                <td className="px-4 py-2">{a.hostname ?? ""}</td>
                <td className="px-4 py-2">{formatDate(a.lastSeenAt)}</td>
                <td className="px-4 py-2">{a._count.hosts}</td>
                <td className="px-4 py-2">{a._count.repositories}</td>
              </tr>
            ))}
          </Table>
        )}
        <Card title="Enrol a new agent">
          <ActionForm action={createEnrolmentTokenAction} submit="Create enrolment token" variant="primary" testId="enrol-form">
            <Input name="label" placeholder="Label, e.g. backup-server-2" aria-label="Label" />
            <Input name="hours" type="number" defaultValue="24" aria-label="Valid for hours" />
          </ActionForm>
        </Card>
      </div>
    </>
  );
}
