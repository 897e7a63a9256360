// Page guards: signed-out visitors go to /login, signed-in users without the role get the 403 page.
import { forbidden, notFound, redirect } from "next/navigation";
import { AppError } from "@/lib/errors";
import { sessionCaller, type Caller } from "@/lib/auth/caller";
import type { Role } from "@/lib/generated/prisma/enums";

/** The signed-in caller of a page, or a redirect to /login. */
export async function pageCaller(): Promise<Caller> {
  const caller = await sessionCaller();
  if (!caller) redirect("/login");
  return caller;
}

/** The signed-in caller if they hold one of the roles; 403 otherwise. */
export async function pageCallerWithRole(...roles: Role[]): Promise<Caller> {
  const caller = await pageCaller();
  if (!roles.includes(caller.role)) forbidden();
  return caller;
}

/** `p`'s value, or the 404 page when it rejects with a not_found AppError (other errors propagate). */
export async function orNotFound<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    if (e instanceof AppError && e.code === "not_found") notFound();
    throw e;
  });
}
