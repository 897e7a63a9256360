// The console's own secrets (session signing key, encryption key for secrets at rest): taken from the
// environment, else generated on first start and kept in <data dir>/secrets.json with mode 0600.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StrataEnv } from "@/lib/env";

export interface ConsoleSecrets {
  authSecret: string;
  secretKey: string;
}

/** Environment values win; missing ones come from (or are added to) the secrets file. */
export async function loadOrCreateSecrets(dataDir: string, env: StrataEnv): Promise<ConsoleSecrets> {
  const file = path.join(dataDir, "secrets.json");
  let stored: Partial<ConsoleSecrets> = {};
  try {
    stored = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`Cannot read "${file}": ${(err as Error).message}`, { cause: err });
  }
  const secrets: ConsoleSecrets = {
    authSecret: env.NEXTAUTH_SECRET ?? stored.authSecret ?? randomBytes(32).toString("base64url"),
    secretKey: env.STRATA_SECRET_KEY ?? stored.secretKey ?? randomBytes(32).toString("hex"),
  };
  const generated = (!env.NEXTAUTH_SECRET && !stored.authSecret) || (!env.STRATA_SECRET_KEY && !stored.secretKey);
  if (generated) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const keep = { authSecret: env.NEXTAUTH_SECRET ? stored.authSecret : secrets.authSecret, secretKey: env.STRATA_SECRET_KEY ? stored.secretKey : secrets.secretKey };
    await writeFile(file, JSON.stringify(keep, null, 2), { mode: 0o600 });
  }
  return secrets;
}
