// The console server's memory settings (docs/decisions/0010-console-memory-settings.md): glibc keeps at most two
// malloc arenas (zlib's thread-pool jobs of folder downloads otherwise leave freed memory spread over one arena
// per thread), and V8's young generation is capped at 4 MB semi-spaces. Settings already in the environment win.
const SEMI_SPACE = "--max-semi-space-size=4";

/** `env` for the `next start` process: MALLOC_ARENA_MAX and NODE_OPTIONS as above, unless already set. */
export function consoleProcessEnv<T extends Record<string, string | undefined>>(env: T): T & { MALLOC_ARENA_MAX: string; NODE_OPTIONS: string } {
  const nodeOptions = env.NODE_OPTIONS ?? "";
  return {
    ...env,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? "2",
    NODE_OPTIONS: nodeOptions.includes("--max-semi-space-size") ? nodeOptions : `${nodeOptions} ${SEMI_SPACE}`.trim(),
  };
}
