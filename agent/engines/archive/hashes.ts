// The repository's checksum files: backup-manager's `P-hashes.md5` (md5<2 spaces>basename, append order,
// a line replaced in place when its archive is rebuilt, never pruned) and Strata's `P-hashes.sha256`
// (same layout, `sha256sum -c` compatible, pruned when archives are purged). Files are rewritten atomically.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { md5FileName, sha256FileName } from "./naming";

/** Digests of one file. */
export interface FileHashes {
  md5: string;
  sha256: string;
  size: number;
}

/** Streams a file once and returns its md5, sha256 and size. */
export async function hashFile(file: string): Promise<FileHashes> {
  const md5 = createHash("md5");
  const sha = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    md5.update(chunk as Buffer);
    sha.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: md5.digest("hex"), sha256: sha.digest("hex"), size };
}

/** Parses a `HASH  NAME` sums file into name → hash (missing file → empty map). */
export async function readSumsFile(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw new Error(`Cannot read checksum file "${file}": ${(err as Error).message}`, { cause: err });
  }
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) [ *](.+)$/.exec(line);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

async function rewriteSums(file: string, edit: (lines: string[]) => string[]): Promise<void> {
  let lines: string[] = [];
  let mode = 0o600;
  try {
    const text = await readFile(file, "utf8");
    lines = text.split("\n").filter((l) => l !== "");
    mode = (await stat(file)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`Cannot read checksum file "${file}": ${(err as Error).message}`, { cause: err });
    }
  }
  const next = edit(lines);
  const tmp = `${file}.part`;
  await writeFile(tmp, next.map((l) => l + "\n").join(""), { mode });
  await rename(tmp, file);
}

function setLine(lines: string[], name: string, hash: string): string[] {
  const line = `${hash}  ${name}`;
  const i = lines.findIndex((l) => /^[0-9a-f]+ [ *](.+)$/.exec(l)?.[1] === name);
  if (i < 0) return [...lines, line];
  const copy = [...lines];
  copy[i] = line;
  return copy;
}

/**
 * Records a finished archive (basename `name` in `repo`) in both sums files; hashes are computed
 * when not given. Returns the hashes.
 */
export async function recordArchiveHashes(
  repo: string,
  prefix: string,
  name: string,
  hashes?: FileHashes,
): Promise<FileHashes> {
  const h = hashes ?? (await hashFile(path.join(repo, name)));
  await rewriteSums(path.join(repo, md5FileName(prefix)), (lines) => setLine(lines, name, h.md5));
  await rewriteSums(path.join(repo, sha256FileName(prefix)), (lines) => setLine(lines, name, h.sha256));
  return h;
}

/** Removes the lines of purged archives from the SHA-256 manifest (the md5 file keeps them, as backup-manager does). */
export async function pruneSha256Manifest(repo: string, prefix: string, removed: string[]): Promise<void> {
  if (removed.length === 0) return;
  const file = path.join(repo, sha256FileName(prefix));
  if ((await readSumsFile(file)).size === 0) return;
  const gone = new Set(removed);
  await rewriteSums(file, (lines) =>
    lines.filter((l) => {
      const m = /^[0-9a-f]+ [ *](.+)$/.exec(l);
      return !m || !gone.has(m[1]);
    }),
  );
}
