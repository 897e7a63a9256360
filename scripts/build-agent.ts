// Compiles the agent (agent/main.ts) with esbuild into dist/agent/ so `strata-agent` starts without tsx.
// npm packages stay external (resolved from node_modules at run time, as under tsx); only Strata's own
// TypeScript (agent/, lib/) is bundled. Each lazily loaded verb becomes its own chunk (code splitting),
// so a verb still loads only the code it runs. The mirror engine's copy worker thread is a second entry
// (dist/agent/copy-worker.mjs, found by agent/engines/mirror/backup/copy-pool.ts). Why and how the bin picks it: docs/decisions/0005-compiled-agent.md.
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const AGENT_OUT_DIR = path.join(ROOT, "dist/agent");

/** Builds dist/agent/main.mjs (plus chunks); resolves to the entry's path. */
export async function buildAgent(outdir = AGENT_OUT_DIR): Promise<string> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: "agent/main.ts", "copy-worker": "agent/engines/mirror/backup/copy-worker.ts" },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    tsconfig: path.join(ROOT, "tsconfig.json"),
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "warning",
  });
  // A marker the bin and the bench read: which commit the build came from, and when.
  writeFileSync(path.join(outdir, "BUILD.json"), JSON.stringify({ builtAt: new Date().toISOString() }) + "\n");
  return path.join(outdir, "main.mjs");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildAgent().then(
    (entry) => console.log(`Built ${path.relative(ROOT, entry)}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
