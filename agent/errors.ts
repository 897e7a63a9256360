// The agent's error vocabulary (retryable / cancelled / fatal / usage / partial) and its one mapping to exit codes.

export type AgentErrorKind = "usage" | "fatal" | "retryable" | "cancelled" | "partial" | "locked";

/** An error the agent knows how to report: a kind (which decides the exit code) and a user-facing message. */
export class AgentError extends Error {
  constructor(
    readonly kind: AgentErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AgentError";
  }
}

/** Exit codes, one per outcome; documented in `strata-agent --help`. */
export const EXIT = {
  ok: 0,
  fatal: 1,
  usage: 2,
  partial: 3,
  locked: 4,
  retryable: 5,
  cancelled: 130,
} as const;

/** Maps any thrown value to the exit code the process ends with. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof AgentError) return EXIT[err.kind];
  return EXIT.fatal;
}
