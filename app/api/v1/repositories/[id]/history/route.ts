import { apiRoute } from "@/lib/api/handler";
import { fileHistory } from "@/lib/data/catalogue";
import { queryOf } from "@/lib/data/catalogue/query";
import { historyQuery } from "@/lib/schemas/catalogue";

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => fileHistory(caller, id, queryOf(req, historyQuery).path));
