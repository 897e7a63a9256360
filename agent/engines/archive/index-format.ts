// The random-access index sidecar `<archive>.idx.json`: for each tar member, where its header and data
// start in the uncompressed stream, and for each compressed block where it starts in both streams.
// Format (v1), documented in README.md beside this file:
//   { v: 1, kind: "tar", compression, archiveSize, tarSize, blockSize,
//     blocks: [[u, c], ...],            // block i starts at uncompressed u, compressed c ("none": [])
//     members: [{ n, t, h, d, s, m, mt, l?, nb?, lb? }, ...] }   // name, typeflag, header/data offsets, size, mode, mtime, link
//   Names are text (member-name.ts): when the bytes are not UTF-8, `n`/`l` show each invalid byte as \xHH and
//   `nb`/`lb` hold the exact bytes (base64).
import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";

export const INDEX_SUFFIX = ".idx.json";

const member = z.object({
  n: z.string(),
  t: z.string(),
  h: z.number().int().nonnegative(),
  d: z.number().int().nonnegative(),
  s: z.number().int().nonnegative(),
  m: z.number().int().nonnegative(),
  mt: z.number().int(),
  l: z.string().optional(),
  /** The name's exact bytes (base64) when they are not UTF-8. */
  nb: z.string().optional(),
  /** The link's exact bytes (base64) when they are not UTF-8. */
  lb: z.string().optional(),
});
export type IndexMember = z.infer<typeof member>;

const archiveIndex = z.object({
  v: z.literal(1),
  kind: z.literal("tar"),
  compression: z.enum(["none", "gzip", "bzip2", "xz", "zstd"]),
  archiveSize: z.number().int().nonnegative(),
  tarSize: z.number().int().nonnegative(),
  blockSize: z.number().int().positive(),
  blocks: z.array(z.tuple([z.number().int(), z.number().int()])),
  members: z.array(member),
});
export type ArchiveIndex = z.infer<typeof archiveIndex>;

/** Writes the sidecar of `archivePath` atomically (mode as given, default 0600). */
export async function writeIndex(archivePath: string, index: ArchiveIndex, mode = 0o600): Promise<void> {
  const file = archivePath + INDEX_SUFFIX;
  await writeFile(file + ".part", JSON.stringify(index), { mode });
  await rename(file + ".part", file);
}

/** Reads and validates the sidecar of `archivePath`; undefined when there is none. */
export async function readIndex(archivePath: string): Promise<ArchiveIndex | undefined> {
  let text: string;
  try {
    text = await readFile(archivePath + INDEX_SUFFIX, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const parsed = archiveIndex.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`Invalid index "${archivePath}${INDEX_SUFFIX}": ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
