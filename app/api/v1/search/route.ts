import { apiRoute } from "@/lib/api/handler";
import { searchVersions } from "@/lib/data/catalogue";
import { queryOf } from "@/lib/data/catalogue/query";
import { searchQuery } from "@/lib/schemas/catalogue";

export const GET = apiRoute({}, async (req, caller) => searchVersions(caller, queryOf(req, searchQuery)));
