// Secrets at rest (agent secrets, dump and SMTP passwords): AES-256-GCM with STRATA_SECRET_KEY.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { consoleRuntime } from "@/lib/env";

/** Encrypts a secret as `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export function encryptSecret(plain: string, key: Buffer = consoleRuntime().secretKey): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ct].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** Decrypts what encryptSecret made; throws when the key is wrong or the value was tampered with. */
export function decryptSecret(sealed: string, key: Buffer = consoleRuntime().secretKey): string {
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error("Cannot decrypt secret: unknown format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
