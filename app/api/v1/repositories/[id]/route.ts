import { apiRoute } from "@/lib/api/handler";
import { getRepositoryDetail } from "@/lib/data/repositories";
import { resumeImportsOnce } from "@/lib/data/catalogue/import";

export const GET = apiRoute<{ id: string }>({}, async (_req, caller, { id }) => {
  void resumeImportsOnce();
  return { repository: await getRepositoryDetail(caller, id) };
});
