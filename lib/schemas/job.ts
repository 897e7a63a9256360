// The backup job contract shared by the console and the agent: the job input (form and API), method-specific
// options as a discriminated union on `method`, and the versioned definition the agent pulls. Secrets are write-only.
import { z } from "zod";
import { scheduleInput, toCron, validateCron, type ScheduleInput } from "@/lib/schedule";
import { retentionPolicy } from "@/lib/retention";
import { parseTimeSpec } from "@/lib/timespec";
import { archiveJob } from "@/lib/schemas/archive-job";

/** Version of the job definition payload; the agent refuses versions it does not know. */
export const JOB_DEFINITION_VERSION = 1;

/** Every backup method the catalogue knows, in the order the form lists them. */
export const JOB_METHODS = ["mirror", "tarball", "tarball_incremental", "mysql", "pgsql", "pipe", "svn"] as const;
export type JobMethod = (typeof JOB_METHODS)[number];

/** Methods whose engine exists (the form enables only these). */
export const AVAILABLE_METHODS: readonly JobMethod[] = JOB_METHODS;

export const METHOD_LABELS: Record<JobMethod, string> = {
  mirror: "Mirror (rdiff-backup)",
  tarball: "Tarball",
  tarball_incremental: "Incremental tarball",
  mysql: "MySQL / MariaDB dump",
  pgsql: "PostgreSQL dump",
  pipe: "Pipe (command output)",
  svn: "Subversion dump",
};

/** Methods that read paths on the host (and so need at least one source path). */
export const FILE_METHODS: readonly JobMethod[] = ["mirror", "tarball", "tarball_incremental", "svn"];

const archive = archiveJob.shape;
/** Compression of archives and dumps (the archive engine's enum). */
export const compression = archive.mysql.unwrap().shape.compression.unwrap();
/** Archive names: long (path-derived) or short (last path component), as the archive engine. */
export const nameFormat = archive.tarball.unwrap().shape.nameFormat.unwrap();
/** When incremental tarballs make a new master archive. */
export const masterFrequency = archive.incremental.unwrap().shape.frequency.unwrap();

const archiveOptions = { compression: compression.default("gzip"), nameFormat: nameFormat.default("long") };
const dumpOptions = (port: number) => ({
  /** Empty: every database. */
  databases: z.array(z.string().trim().regex(/^[^\s/]+$/, "Database names have no spaces or '/'")).default([]),
  user: z.string().trim().min(1, "Enter the database user").max(100),
  host: z.string().trim().max(253).default("localhost"),
  port: z.number({ error: "Enter a port number" }).int("Enter a whole number").min(1, "Port must be 1-65535").max(65535, "Port must be 1-65535").default(port),
  compression: compression.default("bzip2"),
});

/** Options per method. */
export const methodOptions = {
  mirror: z.object({}).strip(),
  tarball: z.object(archiveOptions),
  tarball_incremental: z
    .object({
      ...archiveOptions,
      masterFrequency: masterFrequency.default("weekly"),
      /** weekly: 0 (Sunday) … 6; monthly: 1 … 31. */
      masterDay: z.number({ error: "Enter a day number" }).int("Enter a whole number").default(1),
    })
    .refine((o) => (o.masterFrequency === "weekly" ? o.masterDay >= 0 && o.masterDay <= 6 : o.masterDay >= 1 && o.masterDay <= 31), {
      message: "Weekly master day is 0-6 (0 = Sunday), monthly 1-31",
      path: ["masterDay"],
    }),
  mysql: z.object(dumpOptions(3306)),
  pgsql: z.object(dumpOptions(5432)),
  pipe: z.object({
    command: z.string().trim().min(1, "Enter the command whose output is archived").max(4000),
    archiveName: z.string().trim().regex(/^[A-Za-z0-9._-]{1,100}$/, "One word: letters, digits, . _ - (e.g. ldap.ldif)"),
    compression: compression.default("none"),
  }),
  svn: z.object({ compression: compression.default("bzip2") }),
} satisfies Record<JobMethod, z.ZodType>;
export type MethodOptions<M extends JobMethod> = z.infer<(typeof methodOptions)[M]>;

const absolutePath = z.string().regex(/^\/[^\0]*$/, "Use an absolute path (starting with /)");
const lines = z.array(z.string().trim().min(1).max(4096)).max(1000).default([]);

/** Who hears about runs, and when. */
export const notifySettings = z.object({
  emails: z.array(z.string().trim().email("Enter valid email addresses, one per line")).max(50).default([]),
  webhook: z
    .string()
    .trim()
    .url("Enter an http(s) URL")
    .refine((u) => /^https?:\/\//i.test(u), "Enter an http(s) URL")
    .optional(),
  onFailure: z.boolean().default(true),
  onSuccess: z.boolean().default(false),
  onOverdue: z.boolean().default(true),
});
export type NotifySettings = z.infer<typeof notifySettings>;

const shared = {
  name: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "Letters, digits, . _ - (max 63), starting with a letter or digit"),
  enabled: z.boolean().default(true),
  sources: z.array(absolutePath).max(100).default([]),
  includes: lines,
  excludes: lines,
  schedule: scheduleInput.superRefine((s, ctx) => {
    try {
      validateCron(toCron(s));
    } catch (err) {
      ctx.addIssue({ code: "custom", path: [s.kind === "cron" ? "expression" : "kind"], message: (err as Error).message });
    }
  }),
  retention: retentionPolicy
    .superRefine((r, ctx) => {
      if (!r.olderThan) return;
      try {
        parseTimeSpec(r.olderThan, { now: Math.floor(Date.now() / 1000), sessionTimes: [] });
      } catch (err) {
        ctx.addIssue({ code: "custom", path: ["olderThan"], message: (err as Error).message });
      }
    })
    .default({}),
  preCommand: z.string().trim().max(4000).optional(),
  postCommand: z.string().trim().max(4000).optional(),
  notify: notifySettings.default({ emails: [], onFailure: true, onSuccess: false, onOverdue: true }),
  overdueAfterHours: z.number({ error: "Enter a number of hours" }).int("Enter a whole number").min(1, "1-8760 hours").max(8760, "1-8760 hours").default(36),
  runMissed: z.boolean().default(false),
  /** Write-only dump password: absent or "" keeps the stored one; never read back. */
  password: z.string().max(1000).optional(),
  /** Forget the stored password. */
  clearPassword: z.boolean().default(false),
};

const variant = <M extends JobMethod>(m: M) => z.object({ ...shared, method: z.literal(m), options: methodOptions[m] });

/** A job as the form and the API send it; `superRefine` adds the cross-field rules. */
export const jobInput = z
  .discriminatedUnion(
    "method",
    [variant("mirror"), variant("tarball"), variant("tarball_incremental"), variant("mysql"), variant("pgsql"), variant("pipe"), variant("svn")],
    { error: (iss) => (iss.code === "invalid_union" ? `Unknown method; use one of ${JOB_METHODS.join(", ")}` : undefined) },
  )
  .superRefine((job, ctx) => {
    if (FILE_METHODS.includes(job.method) && job.sources.length === 0)
      ctx.addIssue({ code: "custom", path: ["sources"], message: "Enter at least one source path" });
    if (job.method !== "mirror" && job.includes.length > 0)
      ctx.addIssue({ code: "custom", path: ["includes"], message: "Include lists apply to the mirror method only" });
  });
export type JobInput = z.infer<typeof jobInput>;

/**
 * The ordered rdiff-backup selection of a mirror job: excludes first, then includes, then (when anything is
 * included) `--exclude **` so only the includes are backed up. First match wins, as in rdiff-backup.
 */
export function selectionRules(includes: readonly string[], excludes: readonly string[]): { kind: "include" | "exclude"; glob: string }[] {
  const rules = [...excludes.map((glob) => ({ kind: "exclude" as const, glob })), ...includes.map((glob) => ({ kind: "include" as const, glob }))];
  if (includes.length > 0) rules.push({ kind: "exclude", glob: "**" });
  return rules;
}

/** The schedule form state a cron expression stands for (presets where it matches one, else cron). */
export function scheduleFromCron(expression: string): ScheduleInput {
  const f = expression.trim().split(/\s+/);
  const num = (s: string, max: number) => (/^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : null);
  if (f.length === 5 && num(f[0], 59) !== null) {
    const [m, h, dom, mon, dow] = f;
    const at = num(h, 23) !== null ? `${String(Number(h)).padStart(2, "0")}:${m.padStart(2, "0")}` : null;
    if (h === "*" && dom === "*" && mon === "*" && dow === "*") return { kind: "hourly", minute: Number(m) };
    if (at && mon === "*" && dom === "*" && dow === "*") return { kind: "daily", at };
    if (at && mon === "*" && dom === "*" && num(dow, 6) !== null) return { kind: "weekly", day: Number(dow), at };
    if (at && mon === "*" && dow === "*" && num(dom, 31) !== null && Number(dom) >= 1) return { kind: "monthly", day: Number(dom), at };
  }
  return { kind: "cron", expression };
}

const definitionBase = z.object({
  v: z.literal(JOB_DEFINITION_VERSION),
  id: z.string().uuid(),
  hostId: z.string().uuid(),
  name: z.string(),
  enabled: z.boolean(),
  revision: z.number().int().min(1),
  sources: z.array(absolutePath),
  includes: z.array(z.string()),
  excludes: z.array(z.string()),
  /** Cron expression in the agent's time zone. */
  schedule: z.string(),
  retention: retentionPolicy,
  preCommand: z.string().nullable(),
  postCommand: z.string().nullable(),
  runMissed: z.boolean(),
  overdueAfterHours: z.number().int(),
  notify: notifySettings,
  /** Decrypted secrets, only in what the agent pulls over its authenticated channel; never sent to browsers. */
  secrets: z.object({ password: z.string().optional() }).optional(),
});
const defVariant = <M extends JobMethod>(m: M) => definitionBase.extend({ method: z.literal(m), options: methodOptions[m] });

/** A stored job as the agent pulls it (versioned). */
export const jobDefinition = z.discriminatedUnion("method", [
  defVariant("mirror"),
  defVariant("tarball"),
  defVariant("tarball_incremental"),
  defVariant("mysql"),
  defVariant("pgsql"),
  defVariant("pipe"),
  defVariant("svn"),
]);
export type JobDefinition = z.infer<typeof jobDefinition>;
