import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { pageCaller, orNotFound } from "@/lib/auth/page";
import { agentChoices, getHost } from "@/lib/data/hosts";
import { canManageJobs } from "@/lib/data/jobs";
import { nextRun, runFacts } from "@/lib/data/fleet";
import { RunStatusBadge } from "@/components/runs/run-table";
import { Badge, Card, EmptyState, Input, PageHeader, Table, formatDate } from "@/components/ui";
import { HostForm } from "@/components/hosts/host-form";
import { ActionForm } from "@/components/admin/action-form";
import { authorizedKeysLine } from "@/lib/schemas/agent";
import { acceptHostKeyAction, deleteHostAction, updateHostAction } from "../actions";

export const metadata: Metadata = { title: "Host" };

export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const caller = await pageCaller();
  const { id } = await params;
  const host = await orNotFound(getHost(caller, id));
  const isAdmin = caller.role === "admin";
  const agents = isAdmin ? await agentChoices(caller) : [];
  const publicKey = host.agent?.sshPublicKey?.trim() || null;
  const local = host.transport === "local";
  const runs = await runFacts(host.jobs.map((j) => j.id));
  return (
    <>
      <PageHeader
        title={host.name}
        subtitle={`${local ? "this agent's own machine" : `${host.sshUser}@${host.address}:${host.sshPort}`} · agent ${host.agent?.name ?? "none"}`}
        actions={
          local ? <Badge>local paths</Badge> : host.pendingHostKeyFingerprint ? <Badge tone="red">host key changed</Badge> : host.hostKeyFingerprint ? <Badge tone="green">host key pinned</Badge> : <Badge tone="amber">host key not yet seen</Badge>
        }
      />
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Jobs" actions={canManageJobs(caller) && <Link href={`/hosts/${id}/jobs/new`} className="text-sm font-medium text-brand-600 hover:underline">New job</Link>}>
          {host.jobs.length === 0 ? (
            <EmptyState title="No backup job yet" />
          ) : (
            <Table head={["Job", "Method", "Schedule", "Last run", "Next run"]}>
              {host.jobs.map((j) => (
                <tr key={j.id} data-testid="job-row">
                  <td className="px-4 py-2 font-medium">{canManageJobs(caller) ? <Link href={`/hosts/${id}/jobs/${j.id}`} className="text-brand-600 hover:underline">{j.name}</Link> : j.name}</td>
                  <td className="px-4 py-2">{j.method}</td>
                  <td className="px-4 py-2 font-mono text-xs">{j.schedule}</td>
                  <td className="px-4 py-2 text-xs" data-testid="job-last-run">
                    {runs.active.has(j.id) ? (
                      <RunStatusBadge status="running" />
                    ) : runs.last.get(j.id) ? (
                      <span className="flex flex-col items-start gap-0.5">
                        <RunStatusBadge status={runs.last.get(j.id)!.status} />
                        <span className="text-slate-500">{formatDate(runs.last.get(j.id)!.finishedAt)}</span>
                      </span>
                    ) : (
                      <span className="text-slate-500">never</span>
                    )}
                  </td>
                  <td className="px-4 py-2 text-xs">{j.enabled ? formatDate(nextRun(j.schedule)) : <Badge>paused</Badge>}</td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
        {local ? (
          <Card title="Access">
            <p className="text-sm text-slate-600">This host is the agent&apos;s own machine: its paths are read directly, without SSH.</p>
          </Card>
        ) : (
          <Card title="SSH access">
            <dl className="space-y-3 text-sm" data-testid="ssh-access">
              <div>
                <dt className="font-medium">Pinned host key (SHA256)</dt>
                <dd className="font-mono text-xs" data-testid="pinned-fingerprint">{host.hostKeyFingerprint ?? "Pinned on the first successful connection"}</dd>
              </div>
              {host.pendingHostKeyFingerprint && (
                <div className="space-y-2 rounded bg-red-50 p-3 text-red-800" role="alert" data-testid="pending-host-key">
                  <p className="font-medium">Warning: the host presented a different key.</p>
                  <p>
                    Pinned <span className="font-mono text-xs">{host.hostKeyFingerprint}</span>, presented <span className="font-mono text-xs">{host.pendingHostKeyFingerprint}</span>. Runs fail until an admin
                    accepts the new key. Accept it only if you know why it changed (a reinstalled host); otherwise someone may be impersonating the host.
                  </p>
                  {isAdmin && (
                    <ActionForm action={acceptHostKeyAction} hidden={{ id, fingerprint: host.pendingHostKeyFingerprint }} submit="Accept new key" variant="danger" testId="accept-host-key-form" />
                  )}
                </div>
              )}
              <div>
                <dt className="font-medium">Agent&apos;s public key</dt>
                <dd className="break-all font-mono text-xs" data-testid="agent-public-key">{publicKey ?? "The agent has not reported its SSH key yet."}</dd>
              </div>
              {publicKey && (
                <div>
                  <dt className="font-medium">Line to add to ~{host.sshUser}/.ssh/authorized_keys on the host</dt>
                  <dd className="break-all rounded bg-slate-50 p-2 font-mono text-xs" data-testid="authorized-keys-line">{authorizedKeysLine(publicKey)}</dd>
                </div>
              )}
            </dl>
          </Card>
        )}
        {isAdmin && (
          <Card title="Settings">
            <HostForm action={updateHostAction} agents={agents} submit="Save host" values={{ ...host, agentId: host.agentId, transport: host.transport === "local" ? "local" : "ssh" }} />
          </Card>
        )}
        {isAdmin && (
          <Card title="Delete">
            <ActionForm action={deleteHostAction} hidden={{ id }} submit="Delete host" variant="danger" testId="delete-host-form">
              <p className="text-sm text-slate-600">Deletes the host and its jobs. Repositories stay on the agent&apos;s disk. Type the host name to confirm.</p>
              <Input name="confirm" placeholder={host.name} aria-label="Confirm host name" autoComplete="off" />
            </ActionForm>
          </Card>
        )}
      </div>
    </>
  );
}
