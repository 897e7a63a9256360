// Contracts of the catalogue: registering an existing repository for import (API v1), the header an agent
// sends with a session's change set (agent protocol), and the query parameters of the catalogue endpoints.
import { z } from "zod";
import { changeSetHeader } from "./change-set";

/** `POST /api/v1/repositories`: import an existing repository on an agent's disk into the catalogue. */
export const importRepositoryRequest = z.object({
  /** Agent name or id. */
  agent: z.string().min(1).max(200),
  /** Absolute path of the repository on the agent's disk. */
  path: z
    .string()
    .min(2)
    .max(4096)
    .refine((p) => p.startsWith("/") && !p.includes("\0") && !p.split("/").includes(".."), "an absolute path without NUL bytes or .. segments"),
  /** Host the repository belongs to (name); without one only admins see it. */
  host: z.string().min(1).max(255).optional(),
  format: z.enum(["mirror", "archive"]),
  /** Display name; default the host name or the path's last segment. */
  name: z.string().min(1).max(200).optional(),
});
export type ImportRepositoryRequest = z.infer<typeof importRepositoryRequest>;

/** First NDJSON line of `POST /api/agent/v1/increments`: the change-set header plus which repository. */
export const incrementUploadHeader = changeSetHeader.extend({
  /** The repository's path on the agent's disk, as registered. */
  repository: z.string().min(1).max(4096),
  /** Archive repositories: "full" (a master: every member listed) or "incremental"; mirrors: "mirror". */
  incrementKind: z.enum(["full", "incremental", "mirror"]).optional(),
  /** Bytes the session added on disk. */
  sizeBytes: z.number().int().nonnegative().optional(),
  /** Archive files the session wrote. */
  archives: z.array(z.string().max(4096)).max(10_000).optional(),
});
export type IncrementUploadHeader = z.infer<typeof incrementUploadHeader>;

/** `POST /api/agent/v1/increments/remove`: the agent's retention removed these sessions of a repository. */
export const incrementRemoval = z.object({
  v: z.literal(1),
  repository: z.string().min(1).max(4096),
  /** Session times removed, epoch seconds. */
  times: z.array(z.number().int()).min(1).max(100_000),
});
export type IncrementRemoval = z.infer<typeof incrementRemoval>;

const limit = (max: number) => z.coerce.number().int().min(1).max(max).optional();

export const treeQuery = z.object({
  path: z.string().max(8192).optional(),
  at: z.string().max(200).optional(),
  showDeleted: z.enum(["true", "false", "1", "0"]).optional(),
  sort: z.enum(["name", "size", "mtime"]).optional(),
  order: z.enum(["asc", "desc"]).optional(),
  filter: z.string().max(500).optional(),
  cursor: z.string().max(2000).optional(),
  limit: limit(10_000),
});
export const historyQuery = z.object({ path: z.string().max(8192) });
export const searchQuery = z.object({ q: z.string().min(1).max(500), limit: limit(1000) });
export const changesQuery = z.object({ from: z.string().min(1).max(200), to: z.string().max(200).optional(), path: z.string().max(8192).optional(), limit: limit(50_000) });

/** Parses URL search parameters with `schema`; a 400-worthy message on failure. */
export function parseQuery<S extends z.ZodType>(url: string, schema: S): { ok: true; data: z.infer<S> } | { ok: false; message: string } {
  const params = Object.fromEntries(new URL(url).searchParams);
  const r = schema.safeParse(params);
  return r.success ? { ok: true, data: r.data } : { ok: false, message: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
}
