// `POST /api/v1/repositories/{id}/restore` and the restore form: what to restore, from when, to which host and path.
// Shapes only; the data layer (lib/data/restores.ts) resolves defaults and checks rights, times and paths.
import { z } from "zod";

/** A form checkbox ("on"), a JSON boolean, or "true"/"false"/"1"/"0". */
const flag = z.union([z.boolean(), z.enum(["on", "true", "false", "1", "0", ""]).transform((v) => v === "on" || v === "true" || v === "1")]);

/** A restore request; every field is optional and has a default (see createRestore). */
export const restoreRequest = z.object({
  /** Target host, id or name; default the repository's own host. */
  host: z.string().trim().max(255).optional(),
  /** Path inside the repository ("" or absent = everything). */
  path: z.string().max(4096).optional(),
  /** Time spec (now, 3D, 1B, a date, a date-time, epoch seconds); default the latest increment. */
  at: z.string().trim().max(100).optional(),
  /** Absolute target path on the host; default the original path when the repository's job tells it. */
  target: z.string().trim().max(4096).optional(),
  /** Replace existing files at the target (default false: the run fails rather than overwrite). */
  overwrite: flag.optional(),
});
export type RestoreRequest = z.infer<typeof restoreRequest>;
