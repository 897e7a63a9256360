// Prisma's own migration SQL without the native schema engine: runs the WebAssembly build of
// the schema engine (the Prisma CLI's copy when compatible) to diff two Prisma schemas.
// CLI: `npx tsx lib/db/schema-diff.ts [old.prisma]` prints the SQL from old (or empty) to prisma/schema.prisma.
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

type Glue = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

const require = createRequire(import.meta.url);
let engineGlue: Promise<{ glue: Glue; version: string }> | undefined;

/** Loads the schema engine once: the Prisma CLI's wasm if this glue fits it, else the package's own. */
function loadEngine(): Promise<{ glue: Glue; version: string }> {
  engineGlue ??= (async () => {
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const glue: Glue = await import(gluePath);
    const cliWasm = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "schema_engine_bg.wasm");
    const ownWasm = path.join(path.dirname(gluePath), "schema_engine_bg.wasm");
    let module: WebAssembly.Module | undefined;
    for (const file of [cliWasm, ownWasm]) {
      const bytes = await fs.readFile(file).catch(() => null);
      if (!bytes) continue;
      const candidate = new WebAssembly.Module(bytes);
      if (WebAssembly.Module.imports(candidate).every((i) => i.name in glue)) {
        module = candidate;
        break;
      }
    }
    if (!module) throw new Error("Cannot load the Prisma schema engine: no schema_engine_bg.wasm matches @prisma/schema-engine-wasm");
    const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return { glue, version: glue.version() };
  })();
  return engineGlue;
}

export interface SchemaDiffOptions {
  /** Prisma schema text to start from; null or omitted: an empty database. */
  from?: string | null;
  /** Prisma schema text to end at. */
  to: string;
  /** A reachable PostgreSQL the engine connects to on start (nothing is read or written there). */
  url: string;
}

/** The SQL `prisma migrate diff --from-(schema|empty) --to-schema --script` prints for PostgreSQL. */
export async function diffPrismaSchemas(options: SchemaDiffOptions): Promise<string> {
  const { glue } = await loadEngine();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: options.url, max: 1 }));
  const to = { tag: "schemaDatamodel" as const, files: [{ path: "schema.prisma", content: options.to }] };
  const from = options.from
    ? { tag: "schemaDatamodel" as const, files: [{ path: "from.prisma", content: options.from }] }
    : { tag: "empty" as const };
  const engine = await glue.SchemaEngine.new({ datamodels: [["schema.prisma", options.to]] }, () => {}, adapter);
  try {
    const result = await engine.diff({ from, to, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } });
    return result.stdout ?? "";
  } finally {
    engine.free();
  }
}

/** Version of the loaded schema engine, e.g. "8.1.0-1.d1b3f377...". */
export async function schemaEngineVersion(): Promise<string> {
  return (await loadEngine()).version;
}

async function main(): Promise<void> {
  const fromFile = process.argv[2];
  const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const to = await fs.readFile(path.resolve("prisma", "schema.prisma"), "utf8");
  const from = fromFile ? await fs.readFile(fromFile, "utf8") : null;
  process.stdout.write(await diffPrismaSchemas({ from, to, url }));
  process.stderr.write(`-- schema engine ${await schemaEngineVersion()}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename ?? "")) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err.message.split("\n")[0]);
      process.exit(1);
    },
  );
}
