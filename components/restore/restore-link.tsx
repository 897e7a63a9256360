// "Restore to host…" on the browse and file pages: shown only to callers who may restore (not viewers).
import Link from "next/link";
import type { Caller } from "@/lib/auth/caller";
import { canRestore } from "@/lib/data/restores";
import { queryString } from "@/components/browse/urls";

/** The restore form's address for a repository path as of a time spec. */
export function restoreHref(repoId: string, path: string, at?: string): string {
  return `/repositories/${repoId}/restore${queryString({ path, at })}`;
}

export function RestoreLink({ caller, repoId, path, at }: { caller: Caller; repoId: string; path: string; at?: string }) {
  if (!canRestore(caller)) return null;
  return (
    <Link href={restoreHref(repoId, path, at)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50" data-testid="restore-link">
      Restore to host…
    </Link>
  );
}
