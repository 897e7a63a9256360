// Long names (§1.11): increments (or, with quoting, mirror files) whose names would be too long live in
// rdiff-backup-data/long_filename_data as `<N>[.<t>.<type>[.gz]]`, with N recorded in the metadata.
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { DATA_DIR, LONG_NAME_DIR } from "./names";

/** Longest name component the repository's file system takes (ext4, xfs, btrfs, tmpfs). */
export const NAME_MAX = 255;
/** rdiff-backup probes `<name> + 50 × 'a'`: names with less headroom get a long-name increment. */
export const INC_NAME_HEADROOM = 50;

/** Whether increments of a (stored, i.e. quoted) name must go to long_filename_data. */
export function needsLongIncrementName(storedName: Buffer, nameMax = NAME_MAX): boolean {
  return storedName.length + INC_NAME_HEADROOM > nameMax;
}

/** Whether a stored mirror name itself is too long (only possible with quoting). */
export function needsLongMirrorName(storedName: Buffer, nameMax = NAME_MAX): boolean {
  return storedName.length > nameMax;
}

/** Absolute path of the long-name directory of a repository. */
export function longNameDir(repo: string): string {
  return path.join(repo, DATA_DIR, LONG_NAME_DIR);
}

/** Next free counter: `next_free` if present, else highest numeric prefix in the dir + 1 (1 if empty). */
export async function readNextFree(repo: string): Promise<number> {
  const dir = longNameDir(repo);
  const text = await readFile(path.join(dir, "next_free"), "latin1").catch(() => null);
  if (text !== null && /^\s*[0-9]+\s*$/.test(text)) return Number(text);
  const names = await readdir(dir).catch(() => [] as string[]);
  let high = 0;
  for (const n of names) {
    const v = Number.parseInt(n.split(".")[0], 10);
    if (/^[0-9]+$/.test(n.split(".")[0]) && v > high) high = v;
  }
  return high + 1;
}

/** Allocates the next long name (as rdiff-backup: returns N, stores N+1 in `next_free`). */
export async function allocateLongName(repo: string): Promise<Buffer> {
  const dir = longNameDir(repo);
  await mkdir(dir, { recursive: true });
  const n = await readNextFree(repo);
  const tmp = path.join(dir, "next_free.tmp");
  await writeFile(tmp, String(n + 1));
  await rename(tmp, path.join(dir, "next_free"));
  return Buffer.from(String(n));
}
