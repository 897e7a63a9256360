// Wire contract for a backup session's change set: one NDJSON line per path that is new, changed or deleted.
import { z } from "zod";

/** Type of a filesystem entry as the catalogue stores it. */
export const entryType = z.enum(["file", "dir", "symlink", "fifo", "socket", "chardev", "blockdev"]);
export type EntryType = z.infer<typeof entryType>;

/**
 * One path's change in one increment. `path` is relative to the repository root, "/"-separated,
 * "" for the root itself. Names that are not valid UTF-8 are carried in `pathBase64` (raw bytes)
 * with `path` holding a lossy rendering for display.
 */
export const changeSetEntry = z.object({
  v: z.literal(1),
  change: z.enum(["new", "changed", "deleted"]),
  path: z.string(),
  pathBase64: z.string().optional(),
  type: entryType,
  size: z.number().int().nonnegative().optional(),
  mtime: z.number().int().optional(),
  mode: z.number().int().nonnegative().optional(),
  uid: z.number().int().nonnegative().optional(),
  gid: z.number().int().nonnegative().optional(),
  sha1: z.string().regex(/^[0-9a-f]{40}$/).optional(),
  linkTarget: z.string().optional(),
  /** Archive repositories: which archive file holds this version's bytes. */
  archive: z.string().optional(),
});
export type ChangeSetEntry = z.infer<typeof changeSetEntry>;

/** Header line of a change-set NDJSON stream (first line). */
export const changeSetHeader = z.object({
  v: z.literal(1),
  kind: z.literal("header"),
  format: z.enum(["mirror", "archive"]),
  /** Session (increment) time, epoch seconds. */
  time: z.number().int(),
  previousTime: z.number().int().nullable(),
});
export type ChangeSetHeader = z.infer<typeof changeSetHeader>;
