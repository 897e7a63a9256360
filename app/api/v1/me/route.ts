import { apiRoute } from "@/lib/api/handler";

export const GET = apiRoute({}, async (_req, caller) => ({ id: caller.id, email: caller.email, name: caller.name, role: caller.role }));
