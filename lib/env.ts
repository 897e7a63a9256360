// The console's environment, validated once with zod; every bad variable gets its own clear line.
import { z } from "zod";

const boolish = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => ["true", "1", "yes"].includes(v));

/** Variables a person may set; read by the start script and by the console. */
export const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgresql:// URL, e.g. postgresql://strata@db:5432/strata")
    .optional(),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(1, "must be 1-65535").max(65535, "must be 1-65535").default(3000),
  STRATA_DATA_DIR: z.string().min(1).default("./data"),
  STRATA_URL: z.string().url("must be a URL such as https://backup.example.org").optional(),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (use `openssl rand -base64 32`)").optional(),
  STRATA_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters (use `openssl rand -hex 32`)")
    .optional(),
  STRATA_ADMIN_EMAIL: z.string().email("must be an email address").optional(),
  STRATA_ADMIN_PASSWORD: z.string().optional(),
  STRATA_SESSION_HOURS: z.coerce.number({ message: "must be a number" }).positive("must be positive").max(24 * 30, "must be at most 720").default(12),
  STRATA_LOCAL_AGENT: boolish.default(true),
  /** SMTP server for notification mail, e.g. smtp://user:pass@mail.example.org:587 or smtps://…:465; unset: no mail. */
  STRATA_SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587").optional(),
  /** Sender of notification mail. */
  STRATA_MAIL_FROM: z.string().min(3).default("Strata <strata@localhost>"),
  /** Minutes between checks for overdue jobs (0 turns them off). */
  STRATA_OVERDUE_CHECK_MINUTES: z.coerce.number({ message: "must be a number" }).min(0).max(1440, "must be at most 1440").default(10),
});
export type StrataEnv = z.infer<typeof envSchema>;

/** Parses the environment, or throws an Error whose message lists every wrong variable on its own line. */
export function parseEnv(source: Record<string, string | undefined> = process.env): StrataEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
}

/** Values the running console needs; the start script always provides them. */
export interface ConsoleRuntime {
  databaseUrl: string;
  authSecret: string;
  secretKey: Buffer;
  sessionHours: number;
}

let runtime: ConsoleRuntime | undefined;

/** The console's runtime configuration, validated on first use. */
export function consoleRuntime(): ConsoleRuntime {
  if (runtime) return runtime;
  const env = parseEnv();
  const missing = [
    !process.env.DATABASE_URL && "DATABASE_URL",
    !env.NEXTAUTH_SECRET && "NEXTAUTH_SECRET",
    !env.STRATA_SECRET_KEY && "STRATA_SECRET_KEY",
  ].filter(Boolean);
  if (missing.length) throw new Error(`Missing configuration: ${missing.join(", ")} (start Strata with \`npm start\`, which sets them)`);
  runtime = {
    databaseUrl: process.env.DATABASE_URL!,
    authSecret: env.NEXTAUTH_SECRET!,
    secretKey: Buffer.from(env.STRATA_SECRET_KEY!, "hex"),
    sessionHours: env.STRATA_SESSION_HOURS,
  };
  return runtime;
}
