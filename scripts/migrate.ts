// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the embedded database
// under STRATA_DATA_DIR (default ./data) when DATABASE_URL is unset. Failures print one line.
import { checkDatabaseReachable } from "@/lib/db/client";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrate";

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = process.env.STRATA_DATA_DIR || "./data";
    embedded = await startEmbeddedDatabase({ dataDir });
    url = embedded.url;
    console.log(`Using the embedded database in ${dataDir}/pg`);
  }
  try {
    await checkDatabaseReachable(url);
    const result = await applyMigrations(url, { log: (line) => console.log(line) });
    console.log(
      result.applied.length === 0
        ? `Database is up to date (${result.alreadyApplied.length} migrations applied earlier)`
        : `Applied ${result.applied.length} migration(s)`,
    );
  } finally {
    await embedded?.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
