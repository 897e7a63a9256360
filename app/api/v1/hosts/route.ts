// GET /api/v1/hosts (hosts the caller may see) and POST /api/v1/hosts (admins).
import { apiRoute } from "@/lib/api/handler";
import { createHost, hostInput, listHosts } from "@/lib/data/hosts";
import { AppError } from "@/lib/errors";
import { apiCtx, jsonBody, withFieldErrors } from "../jobs/respond";

export const GET = apiRoute({}, async (_req, caller) => {
  const hosts = await listHosts(caller);
  return { hosts: hosts.map(({ _count, agent, ...h }) => ({ ...h, agent: agent?.name ?? null, jobCount: _count.jobs, repositoryCount: _count.repositories })) };
});

export const POST = apiRoute({ roles: ["admin"] }, async (req, caller) =>
  withFieldErrors(async () => {
    const parsed = hostInput.safeParse(await jsonBody(req));
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const i of parsed.error.issues) (fieldErrors[String(i.path[0] ?? "form")] ??= []).push(i.message);
      throw new AppError("invalid", "Check the highlighted fields", { fieldErrors });
    }
    const host = await createHost(caller, parsed.data, apiCtx(req));
    return Response.json({ host }, { status: 201 });
  }),
);
