// Opaque bearer tokens (API tokens, agent tokens, enrolment tokens): generation and hashing.
import { createHash, randomBytes } from "node:crypto";

/** A new token with a recognisable prefix, e.g. `strata_pat_…`; only its hash is stored. */
export function newToken(kind: "pat" | "agent" | "enrol"): string {
  return `strata_${kind}_${randomBytes(24).toString("base64url")}`;
}

/** SHA-256 hex of a token, as stored in the catalogue. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
