// The data plane's error vocabulary: an HTTP status, a short code and a message sent as JSON.
import { AgentError } from "@/agent/errors";
import { FileDataError } from "@/agent/engines/mirror/read";

/** An expected failure of a data-plane request. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HttpError";
  }
}

/** Maps any thrown value to an HttpError (corrupt increments are 500s that name the file). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof FileDataError) return new HttpError(500, "corrupt", err.message, { cause: err });
  if (err instanceof AgentError) {
    if (err.kind === "usage") return new HttpError(400, "invalid", err.message, { cause: err });
    if (err.kind === "locked") return new HttpError(409, "locked", err.message, { cause: err });
    return new HttpError(500, "repository", err.message, { cause: err });
  }
  return new HttpError(500, "internal", `Internal error: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
