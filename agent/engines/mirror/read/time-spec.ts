// Turns a user's time spec (`now`, `3D`, `2B`, dates, epochs; lib/timespec) into epoch seconds for a
// repository: `NB` counts back through the repository's own sessions.
import { AgentError } from "@/agent/errors";
import { parseTimeSpec, TimeSpecError } from "@/lib/timespec";
import type { MirrorRepo } from "./repository";

/** Epoch seconds of `spec` for `repo`; `now` defaults to the clock. Bad specs are usage errors. */
export function timeForRepo(repo: MirrorRepo, spec: string, now = Math.floor(Date.now() / 1000)): number {
  try {
    return parseTimeSpec(spec, { now, sessionTimes: repo.sessions });
  } catch (err) {
    if (err instanceof TimeSpecError) throw new AgentError("usage", err.message, { cause: err });
    throw err;
  }
}
