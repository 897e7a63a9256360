import { apiRoute } from "@/lib/api/handler";
import { changesBetween } from "@/lib/data/catalogue";
import { queryOf } from "@/lib/data/catalogue/query";
import { changesQuery } from "@/lib/schemas/catalogue";

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  const q = queryOf(req, changesQuery);
  return changesBetween(caller, id, q.from, q.to ?? "", { path: q.path, limit: q.limit });
});
