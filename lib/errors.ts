// The console's error vocabulary: AppError(code, userMessage) and its one mapping to HTTP status.

export type AppErrorCode =
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "invalid"
  | "conflict"
  | "rate_limited"
  | "unavailable"
  | "internal";

const STATUS: Record<AppErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid: 400,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** An expected failure with a message fit to show to the user. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown; fieldErrors?: Record<string, string[]> },
  ) {
    super(message, options);
    this.name = "AppError";
    this.fieldErrors = options?.fieldErrors;
  }
  readonly fieldErrors?: Record<string, string[]>;
  get status(): number {
    return STATUS[this.code];
  }
}

/** HTTP status for any thrown value. */
export function statusFor(err: unknown): number {
  return err instanceof AppError ? err.status : 500;
}
