// Notes on a run that has not started or lost its job: which agent a queued run waits for (and since when that
// agent is offline), and that the job of a backup run was deleted while it was in flight.
import { formatDate } from "@/components/ui";

export function WaitingNote({ agent }: { agent: { name: string; lastSeenAt: Date | null; online: boolean } }) {
  return agent.online ? (
    <p className="mt-3 rounded-md bg-blue-50 px-3 py-2 text-sm text-blue-900" data-testid="run-waiting">
      Waiting for agent {agent.name} to pick this run up.
    </p>
  ) : (
    <p className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="run-waiting">
      Waiting for agent {agent.name} ({agent.lastSeenAt ? `offline since ${formatDate(agent.lastSeenAt)}` : "never seen"}). It starts when the agent is back;
      &quot;Run now&quot; again replaces it with a new run.
    </p>
  );
}

export function DeletedJobNote() {
  return (
    <p className="mt-3 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="run-job-deleted">
      The job of this run has been deleted; the agent&apos;s reports for the run are still recorded here.
    </p>
  );
}
