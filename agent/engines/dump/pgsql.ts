// The pgsql dump method: `pg_dump` per listed database or `pg_dumpall` for all, with the password in a
// temporary 0600 file named by PGPASSFILE for the dump process only (the user's ~/.pgpass is never touched).
import { formatDay, pgsqlDumpName } from "../archive/naming";
import { checkDatabaseName, pickCommand, readPassword, runnerOf, runDumpSteps, type DumpContext, type DumpStep, type StepsOutcome } from "./dump-step";
import type { Compression } from "./write-command-output";

/** Settings of a pgsql dump (backup-manager's BM_PGSQL_* keys). */
export interface PgsqlSettings {
  /** "all" (`__ALL__`, one `pg_dumpall` archive) or a list of database names. */
  databases: "all" | string[];
  user: string;
  password?: string;
  /** A 0600 file holding the password, read at run time (used when `password` is unset). */
  passwordFile?: string;
  /** Empty → the local Unix socket (no `-h`). */
  host?: string;
  port?: number;
  compression: Compression;
  /** Extra arguments placed after the database name. */
  extraOptions?: string[];
}

/** Escapes one field of a libpq password file line. */
export function pgpassField(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll(":", "\\:");
}

/** Dumps the configured PostgreSQL databases into the repository. */
export async function dumpPgsql(ctx: DumpContext, s: PgsqlSettings): Promise<StepsOutcome> {
  const all = s.databases === "all";
  const cmd = await pickCommand(runnerOf(ctx), [all ? "pg_dumpall" : "pg_dump"]);
  const password = await readPassword(s);
  const secret = password
    ? await runnerOf(ctx).writeSecretFile("pgpass", `*:*:*:${pgpassField(s.user)}:${pgpassField(password)}\n`)
    : undefined;
  try {
    // -w: never prompt; a missing or wrong password is an error, not a hang.
    const base = [cmd, "-w", "-U", s.user, ...(s.host ? ["-h", s.host] : []), "-p", String(s.port ?? 5432)];
    const env = secret ? { PGPASSFILE: secret.path } : undefined;
    const day = formatDay(ctx.now);
    const steps: DumpStep[] = all
      ? [
          {
            argv: [...base, ...(s.extraOptions ?? [])],
            env,
            name: pgsqlDumpName(ctx.prefix, day, undefined, s.compression),
            compression: s.compression,
            label: "all PostgreSQL databases",
          },
        ]
      : (s.databases as string[]).map((db) => {
          checkDatabaseName(db);
          return {
            argv: [...base, db, ...(s.extraOptions ?? [])],
            env,
            name: pgsqlDumpName(ctx.prefix, day, db, s.compression),
            compression: s.compression,
            label: `PostgreSQL database "${db}"`,
          };
        });
    return await runDumpSteps(ctx, steps);
  } finally {
    await secret?.remove();
  }
}
