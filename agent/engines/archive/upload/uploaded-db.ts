// The "already uploaded" database (backup-manager's BM_UPLOADED_ARCHIVES): one line `FULLPATH HOST…` per
// archive, a host added to the line of a file once it reached that host. Rewritten atomically.
import { readFile, rename, writeFile } from "node:fs/promises";

/** Path → hosts it was uploaded to. */
export type UploadedDb = Map<string, string[]>;

/** Reads the database; a missing file is an empty database. */
export async function readUploadedDb(file: string): Promise<UploadedDb> {
  const db: UploadedDb = new Map();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return db;
    throw new Error(`Cannot read uploaded-archives list "${file}": ${(err as Error).message}`, { cause: err });
  }
  for (const line of text.split("\n")) {
    const [p, ...hosts] = line.trim().split(/\s+/);
    if (p) db.set(p, [...new Set([...(db.get(p) ?? []), ...hosts])]);
  }
  return db;
}

/** True when `fullPath` was already uploaded to `host`. */
export function wasUploaded(db: UploadedDb, fullPath: string, host: string): boolean {
  return db.get(fullPath)?.includes(host) ?? false;
}

/** Adds `host` to the line of `fullPath` (creating it) and rewrites the file. */
export async function markUploaded(file: string, db: UploadedDb, fullPath: string, host: string): Promise<void> {
  const hosts = db.get(fullPath) ?? [];
  if (!hosts.includes(host)) db.set(fullPath, [...hosts, host]);
  const text = [...db].map(([p, hs]) => [p, ...hs].join(" ") + "\n").join("");
  await writeFile(`${file}.part`, text, { mode: 0o600 });
  await rename(`${file}.part`, file);
}
