import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { listDirectory } from "@/lib/data/catalogue";
import { queryOf } from "@/lib/data/catalogue/query";
import { treeQuery } from "@/lib/schemas/catalogue";

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  const q = queryOf(req, treeQuery);
  const page = await listDirectory(caller, id, { ...q, showDeleted: q.showDeleted === "true" || q.showDeleted === "1" });
  if (!page.exists) throw new AppError("not_found", `No directory "${page.path}" at ${page.at.increment.time.toISOString()}`);
  return { path: page.path, at: page.at, entries: page.entries, nextCursor: page.nextCursor };
});
