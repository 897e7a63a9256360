import { apiRoute, jsonError } from "@/lib/api/handler";

/** Unknown API paths: 401 for anonymous callers (nothing leaks), 404 JSON otherwise. */
const notFound = apiRoute<{ rest: string[] }>({}, async () => jsonError(404, "not_found", "No such API endpoint"));
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
