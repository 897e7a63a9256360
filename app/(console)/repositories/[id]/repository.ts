// Shared by a repository's pages: the repository the caller may see, or the 404 page; expected data
// errors (bad time spec, nothing at that time, bad path) as a message instead of an error page.
import type { Caller } from "@/lib/auth/caller";
import { orNotFound } from "@/lib/auth/page";
import { getVisibleRepository } from "@/lib/data/repositories";
import { AppError } from "@/lib/errors";

export function repositoryOr404(caller: Caller, id: string) {
  return orNotFound(getVisibleRepository(caller, id));
}

/** Runs a data call; an expected AppError (400/404) becomes `{ error }` for the page to show. */
export async function orMessage<T>(call: () => Promise<T>): Promise<{ data: T; error?: undefined } | { data?: undefined; error: string }> {
  try {
    return { data: await call() };
  } catch (e) {
    if (e instanceof AppError && (e.code === "invalid" || e.code === "not_found")) return { error: e.message };
    throw e;
  }
}

/** The first value of a search parameter, trimmed and capped. */
export function param(v: string | string[] | undefined, max = 500): string {
  return (Array.isArray(v) ? v[0] : v)?.trim().slice(0, max) ?? "";
}
