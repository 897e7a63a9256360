// Next.js start-up hook of the console process: starts the periodic overdue-job check (lib/notify/overdue) once.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    const { parseEnv } = await import("./lib/env");
    const { startOverdueChecks } = await import("./lib/notify/overdue");
    startOverdueChecks(parseEnv().STRATA_OVERDUE_CHECK_MINUTES);
  } catch (err) {
    console.error(`Cannot start the overdue checks: ${(err as Error).message}`);
  }
}
