import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { listRepositoriesForApi } from "@/lib/data/repositories";
import { registerImport, resumeImportsOnce } from "@/lib/data/catalogue/import";
import { importRepositoryRequest } from "@/lib/schemas/catalogue";

export const GET = apiRoute({}, async (_req, caller) => {
  void resumeImportsOnce();
  return { repositories: await listRepositoriesForApi(caller) };
});

export const POST = apiRoute({ roles: ["admin"] }, async (req, caller) => {
  const parsed = importRepositoryRequest.safeParse(await req.json().catch(() => null));
  if (!parsed.success) throw new AppError("invalid", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const ip = req.headers.get("x-forwarded-for")?.split(",")[0].trim() ?? null;
  const created = await registerImport(caller, parsed.data, { ip });
  return Response.json(created, { status: 202, headers: { location: `/api/v1/repositories/${created.id}` } });
});
