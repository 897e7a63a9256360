#!/usr/bin/env node
// The strata-agent command: runs agent/main.ts through tsx so a checkout needs no build step.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const res = spawnSync(process.execPath, [tsxCli, path.join(root, "agent/main.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(res.status ?? 1);
