import { apiRoute } from "@/lib/api/handler";
import { listIncrements } from "@/lib/data/catalogue";

export const GET = apiRoute<{ id: string }>({}, async (_req, caller, { id }) => ({ increments: await listIncrements(caller, id) }));
