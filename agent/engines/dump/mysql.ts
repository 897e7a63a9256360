// The mysql dump method: `mariadb-dump`/`mysqldump` per database or all in one, with the credentials in a
// temporary 0600 option file (`--defaults-extra-file`) that is removed whatever happens.
import { formatDay, mysqlDumpName } from "../archive/naming";
import { checkDatabaseName, pickCommand, readPassword, runnerOf, runDumpSteps, runToString, type DumpContext, type DumpStep, type StepsOutcome } from "./dump-step";
import type { Compression } from "./write-command-output";

/** Settings of a mysql dump (backup-manager's BM_MYSQL_* keys). */
export interface MysqlSettings {
  /** "all" (`__ALL__`) or a list of database names. */
  databases: "all" | string[];
  /** With "all": one archive per database (default) instead of one `--all-databases` archive. */
  separately?: boolean;
  /** Names left out of "all". */
  exclude?: string[];
  /** Adds `--opt` (default true). */
  safeDumps?: boolean;
  user: string;
  password?: string;
  /** A 0600 file holding the password, read at run time (used when `password` is unset). */
  passwordFile?: string;
  host?: string;
  port?: number;
  compression: Compression;
  /** Extra arguments placed before the database name. */
  extraOptions?: string[];
}

// Server-generated schemas that cannot be restored from a dump; backup-manager would try and fail on them.
const SYSTEM_SCHEMAS = new Set(["information_schema", "performance_schema", "sys"]);

/** Escapes a value for a double-quoted MySQL/MariaDB option-file value. */
export function optionFileValue(v: string): string {
  return `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("\r", "\\r")}"`;
}

/** Dumps the configured MySQL/MariaDB databases into the repository. */
export async function dumpMysql(ctx: DumpContext, s: MysqlSettings): Promise<StepsOutcome> {
  const dumpCmd = await pickCommand(runnerOf(ctx), ["mariadb-dump", "mysqldump"]);
  const lines = ["[client]", `user=${optionFileValue(s.user)}`];
  const password = await readPassword(s);
  if (password) lines.push(`password=${optionFileValue(password)}`);
  const secret = await runnerOf(ctx).writeSecretFile("client.cnf", lines.join("\n") + "\n");
  try {
    // --defaults-extra-file must come first on the command line.
    const base = [`--defaults-extra-file=${secret.path}`, "-h", s.host ?? "localhost", "-P", String(s.port ?? 3306)];
    const day = formatDay(ctx.now);
    const dumpArgs = [dumpCmd, ...base, ...(s.safeDumps === false ? [] : ["--opt"]), ...(s.extraOptions ?? [])];
    let steps: DumpStep[];
    if (s.databases === "all" && s.separately === false) {
      steps = [
        {
          argv: [...dumpArgs, "--all-databases"],
          name: mysqlDumpName(ctx.prefix, day, undefined, s.compression),
          compression: s.compression,
          label: "all MySQL databases",
        },
      ];
    } else {
      const dbs = s.databases === "all" ? await listDatabases(ctx, base, s.exclude ?? []) : s.databases;
      steps = dbs.map((db) => {
        checkDatabaseName(db);
        return {
          argv: [...dumpArgs, db],
          name: mysqlDumpName(ctx.prefix, day, db, s.compression),
          compression: s.compression,
          label: `MySQL database "${db}"`,
        };
      });
    }
    return await runDumpSteps(ctx, steps);
  } finally {
    await secret.remove();
  }
}

async function listDatabases(ctx: DumpContext, base: string[], exclude: string[]): Promise<string[]> {
  const client = await pickCommand(runnerOf(ctx), ["mariadb", "mysql"]);
  const out = await runToString(runnerOf(ctx), [client, ...base, "-B", "-N", "-e", "show databases"], "list MySQL databases");
  const skip = new Set(exclude);
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((db) => db !== "" && !skip.has(db) && !SYSTEM_SCHEMAS.has(db));
}
