#!/usr/bin/env node
// The strata-agent command. Runs the compiled agent (dist/agent/main.mjs, `npm run build:agent`) in this
// process when it is built; otherwise runs agent/main.ts through tsx so a checkout needs no build step.
// STRATA_AGENT_FROM_SOURCE=1 forces the sources. Why: docs/decisions/0005-compiled-agent.md.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const compiled = path.join(root, "dist/agent/main.mjs");
if (!process.env.STRATA_AGENT_FROM_SOURCE && existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
  const res = spawnSync(process.execPath, [tsxCli, path.join(root, "agent/main.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(res.status ?? 1);
}
