// Data-plane request signatures: HMAC-SHA256 with the agent's secret over method, path, sorted query and
// expiry. The console signs (signRequest); the agent verifies (verifySignature) in constant time.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SIGNATURE_TTL_SECONDS } from "@/lib/schemas/data-plane";

/** Allowed clock difference (agent behind the console), in seconds; an agent ahead eats into the TTL. */
const SKEW_SECONDS = 30;

/** The signed text: METHOD, path, query sorted by name then value (each percent-encoded), expiry. */
export function canonicalRequest(method: string, pathWithQuery: string, expiresAt: number): string {
  const url = new URL(pathWithQuery, "http://agent.invalid");
  const pairs = [...url.searchParams].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = pairs.map(([k, v]) => `${k}=${v}`).join("&");
  return [method.toUpperCase(), url.pathname, query, String(expiresAt)].join("\n");
}

/** Hex HMAC-SHA256 signature of a request that is valid until `expiresAt` (epoch seconds). */
export function signRequest(secret: string, method: string, pathWithQuery: string, expiresAt: number): string {
  return createHmac("sha256", secret).update(canonicalRequest(method, pathWithQuery, expiresAt)).digest("hex");
}

/** Why a signature is refused, or null when it is valid. */
export function verifySignature(
  secret: string,
  method: string,
  pathWithQuery: string,
  expiresAt: string | number | null | undefined,
  signature: string | null | undefined,
  now: number = Math.floor(Date.now() / 1000),
): string | null {
  if (!signature || expiresAt === null || expiresAt === undefined || expiresAt === "") return "the request is not signed";
  const exp = Number(expiresAt);
  if (!Number.isSafeInteger(exp)) return "the expiry is not a number";
  if (exp < now) return "the signature has expired";
  if (exp > now + SIGNATURE_TTL_SECONDS + SKEW_SECONDS) return "the expiry is too far ahead";
  if (!/^[0-9a-f]{64}$/.test(signature)) return "the signature is malformed";
  const want = Buffer.from(signRequest(secret, method, pathWithQuery, exp), "hex");
  return timingSafeEqual(want, Buffer.from(signature, "hex")) ? null : "the signature does not match";
}

/** Query parameter of signed POSTs holding the hex SHA-256 of the body (so the signature covers the body). */
export const BODY_HASH_PARAM = "sha256";

/** Hex SHA-256 of a request body. */
export function bodyHash(body: string | Buffer): string {
  return createHash("sha256").update(body).digest("hex");
}
