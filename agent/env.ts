// The agent's environment, validated once with zod (command-line flags override it).
import { z } from "zod";

const schema = z.object({
  STRATA_AGENT_CONSOLE: z.string().url("must be the console's URL, e.g. http://127.0.0.1:3000").optional(),
  STRATA_AGENT_ENROL_TOKEN: z.string().min(10, "looks truncated").optional(),
  STRATA_AGENT_NAME: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "lowercase letters, digits, . _ - (max 63)").optional(),
  STRATA_AGENT_STATE_DIR: z.string().min(1).default("./data/agent"),
  /** Data-plane listen address (HOST:PORT; port 0 picks a free one). */
  STRATA_AGENT_LISTEN: z.string().regex(/^(\[[^\]]+\]|[^:]*):\d{1,5}$/, "HOST:PORT, e.g. 127.0.0.1:0").default("127.0.0.1:0"),
  /** The data plane's URL as the console reaches it (default: the listening address). */
  STRATA_AGENT_PUBLIC_URL: z.string().url().optional(),
  /** Directories repositories must lie in, separated by ":" (data-plane reads are confined to them). */
  STRATA_AGENT_REPOSITORIES: z.string().min(1).default("./data/repositories"),
  /** IANA time zone job schedules are read in (default: the machine's zone). */
  STRATA_AGENT_TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone such as Europe/Paris")
    .optional(),
  /** Backup and restore runs at once; more wait queued. */
  STRATA_AGENT_MAX_RUNS: z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(1).max(64).default(4),
  STRATA_AGENT_HEARTBEAT_SECONDS: z.coerce.number({ message: "must be a number" }).min(1).max(3600).default(15),
});
export type AgentEnv = z.infer<typeof schema>;

/** Parses the agent's environment; throws one Error listing every wrong variable. */
export function agentEnv(source: Record<string, string | undefined> = process.env): AgentEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([k, v]) => k.startsWith("STRATA_AGENT_") && v));
  const r = schema.safeParse(cleaned);
  if (r.success) return r.data;
  throw new Error(`Invalid agent configuration:\n${r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
}
