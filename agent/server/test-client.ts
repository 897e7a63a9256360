// Test helper: signed requests to a data-plane server with the raw secret (what the console's client does).
import { signRequest } from "@/lib/agent-client/sign";
import { EXPIRES_HEADER, SIGNATURE_HEADER } from "@/lib/schemas/data-plane";

/** GET `path` with `query`, signed with `secret` (or unsigned when `secret` is null). */
export function signedGet(baseUrl: string, secret: string | null, path: string, query: Record<string, string | number> = {}, signal?: AbortSignal): Promise<Response> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  const pathWithQuery = qs ? `${path}?${qs}` : path;
  const exp = Math.floor(Date.now() / 1000) + 60;
  const headers: Record<string, string> = secret ? { [SIGNATURE_HEADER]: signRequest(secret, "GET", pathWithQuery, exp), [EXPIRES_HEADER]: String(exp) } : {};
  return fetch(new URL(pathWithQuery, baseUrl), { headers, signal });
}
