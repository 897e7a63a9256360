// Wire contract of an archive job (the backup-manager family): which methods run, what they archive or
// dump, how archives are named, kept and uploaded. One schema for tarballs, dumps, pipes and uploads.
import { z } from "zod";

const absolutePath = z.string().regex(/^\//, "must be an absolute path");
const compression = z.enum(["none", "gzip", "bzip2", "xz", "zstd"]);
const octalMode = z.string().regex(/^0?[0-7]{3,4}$/, 'must be octal digits such as "660"');

/** Archive methods, run in the listed order (BM_ARCHIVE_METHOD). */
export const archiveMethod = z.enum(["tarball", "tarball-incremental", "mysql", "pgsql", "svn", "pipe"]);

const tarballSection = z.object({
  /** Directories (or files) to archive, one archive each (BM_TARBALL_DIRECTORIES / TARGETS). */
  targets: z.array(absolutePath).min(1, "needs at least one target"),
  nameFormat: z.enum(["long", "short"]).default("long"),
  fileType: z.enum(["tar", "tar.gz", "tar.bz2", "tar.xz", "tar.zst", "zip"]).default("tar.gz"),
  /** Absolute paths excluded exactly; other words are names or globs matched at any depth. */
  blacklist: z.array(z.string().min(1)).default([]),
  dumpSymlinks: z.boolean().default(false),
  /** Extra GNU tar arguments, one per element. */
  extraOptions: z.array(z.string()).default([]),
});

const incrementalSection = z
  .object({
    frequency: z.enum(["weekly", "monthly"]).default("weekly"),
    /** weekly: 0 (Sunday) … 6; monthly: 1 … 31. */
    value: z.number().int().default(1),
  })
  .refine((s) => (s.frequency === "weekly" ? s.value >= 0 && s.value <= 6 : s.value >= 1 && s.value <= 31), {
    message: "weekly master day must be 0–6 (0 = Sunday), monthly 1–31",
    path: ["value"],
  });

const secret = {
  password: z.string().optional(),
  /** A 0600 file holding the password (read at run time; preferred over `password`). */
  passwordFile: absolutePath.optional(),
};

const mysqlSection = z.object({
  databases: z.union([z.literal("all"), z.array(z.string().min(1)).min(1)]).default("all"),
  separately: z.boolean().default(true),
  exclude: z.array(z.string()).default([]),
  safeDumps: z.boolean().default(true),
  user: z.string().min(1),
  ...secret,
  host: z.string().default("localhost"),
  port: z.number().int().min(1).max(65535).default(3306),
  compression: compression.default("bzip2"),
  extraOptions: z.array(z.string()).default([]),
});

const pgsqlSection = z.object({
  databases: z.union([z.literal("all"), z.array(z.string().min(1)).min(1)]).default("all"),
  user: z.string().min(1),
  ...secret,
  /** Empty → local Unix socket. */
  host: z.string().default("localhost"),
  port: z.number().int().min(1).max(65535).default(5432),
  compression: compression.default("bzip2"),
  extraOptions: z.array(z.string()).default([]),
});

const svnSection = z.object({
  repositories: z.array(absolutePath).min(1),
  compression: compression.default("bzip2"),
});

const pipeEntry = z
  .object({
    name: z.string().regex(/^[^/\s]+$/, "must be a single word without '/'"),
    command: z.array(z.string()).min(1).optional(),
    shell: z.string().min(1).optional(),
    fileType: z.string().min(1),
    compression: compression.default("none"),
  })
  .refine((p) => (p.command === undefined) !== (p.shell === undefined), { message: "set exactly one of command and shell" });

const uploadSection = z.object({
  method: z.literal("sftp"),
  hosts: z
    .array(
      z.object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).optional(),
        user: z.string().min(1),
        privateKeyPath: absolutePath,
        hostKeyFingerprint: z.string().regex(/^(SHA256:)?[A-Za-z0-9+/]{43}=?$/, "must be an OpenSSH SHA256 fingerprint"),
      }),
    )
    .min(1),
  destination: z.string().min(1),
  purge: z.boolean().default(true),
  ttlDays: z.number().int().nonnegative().optional(),
  uploadedArchivesFile: absolutePath.optional(),
  retries: z.number().int().nonnegative().optional(),
});

/** One archive job definition (JSON file or console payload), version 1. */
export const archiveJob = z
  .object({
    v: z.literal(1).default(1),
    /** Identifies the job (lock file, messages). */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "must be letters, digits, '.', '_' or '-'"),
    repository: absolutePath,
    /** First token of every archive name (BM_ARCHIVE_PREFIX). */
    prefix: z.string().regex(/^[^/\s]+$/, "must be one word without '/' or spaces"),
    methods: z.array(archiveMethod).min(1, "needs at least one method"),
    ttlDays: z.number().int().nonnegative().default(5),
    purgeDuplicates: z.boolean().default(true),
    strictPurge: z.boolean().default(true),
    niceLevel: z.number().int().min(-20).max(19).optional(),
    /** Repository and archive ownership and modes (BM_REPOSITORY_SECURE and friends); unset = 0600 files. */
    permissions: z
      .object({
        repositoryMode: octalMode.optional(),
        archiveMode: octalMode.optional(),
        user: z.string().min(1).optional(),
        group: z.string().min(1).optional(),
      })
      .default({}),
    /** PID lock file; default `<repository>/.strata-<name>.lock`. */
    lockFile: absolutePath.optional(),
    tarball: tarballSection.optional(),
    incremental: incrementalSection.optional(),
    mysql: mysqlSection.optional(),
    pgsql: pgsqlSection.optional(),
    svn: svnSection.optional(),
    pipe: z.array(pipeEntry).optional(),
    upload: uploadSection.optional(),
  })
  .superRefine((job, ctx) => {
    const need: [z.infer<typeof archiveMethod>, keyof typeof job][] = [
      ["tarball", "tarball"],
      ["tarball-incremental", "tarball"],
      ["mysql", "mysql"],
      ["pgsql", "pgsql"],
      ["svn", "svn"],
      ["pipe", "pipe"],
    ];
    for (const [method, key] of need) {
      if (job.methods.includes(method) && job[key] === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: `is required by method "${method}"` });
      }
    }
  });
export type ArchiveJob = z.infer<typeof archiveJob>;
export type ArchiveJobInput = z.input<typeof archiveJob>;

/** Parses a job; on failure the message lists one line per bad field (`field.path: problem`). */
export function parseArchiveJob(input: unknown): { ok: true; job: ArchiveJob } | { ok: false; problems: string[] } {
  const r = archiveJob.safeParse(input);
  if (r.success) return { ok: true, job: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(job)"}: ${i.message}`) };
}
