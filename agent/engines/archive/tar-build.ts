// Builds one tar-family archive: GNU tar (as backup-manager runs it) writes the tar stream to stdout,
// Strata indexes its members as they pass, block-compresses it into `NAME.part`, renames it into place
// and writes the index sidecar. A tar failure or a write error leaves nothing behind.
import { spawn } from "node:child_process";
import { open, stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { writeAtomically } from "./atomic-file";
import { BlockCompressor, DEFAULT_BLOCK_SIZE, type CompressResult } from "./compress";
import { writeIndex, type ArchiveIndex, type IndexMember } from "./index-format";
import type { Compression } from "./naming";
import type { CommandExit, CommandRunner, RunningCommand } from "../dump/runner";
import { TarIndexer } from "./tar-indexer";

/** Exclusions as tar options: anchored absolute paths, and unanchored names or globs. */
export interface TarExcludes {
  anchored: string[];
  unanchored: string[];
}

/** One tar build. */
export interface TarBuildOptions {
  /** Absolute path of the directory (or file) to archive. */
  target: string;
  /** Final archive path. */
  output: string;
  compression: Compression;
  excludes: TarExcludes;
  /** `tar -h`: store what symlinks point to. */
  dumpSymlinks: boolean;
  /** GNU tar `--listed-incremental` snapshot file (read and updated by tar). */
  snapshot?: string;
  extraOptions?: string[];
  niceLevel?: number;
  blockSize?: number;
  signal?: AbortSignal;
  /** Runs tar on another host (an SSH host's runner); by default tar is a child of the agent. */
  runner?: CommandRunner;
  /** Runs once the archive is complete, before it is renamed into place (a failure leaves no archive). */
  beforeRename?: () => Promise<void>;
}

/** Outcome of a build: tar exit 0 (clean) or 1 (files changed while read), its warnings, sizes, members. */
export interface TarBuildResult {
  tarExit: 0 | 1;
  warnings: string[];
  compress: CompressResult;
  members: IndexMember[];
}

const NOISE = [/^tar: Removing leading `\/' from /];

/** The tar argv backup-manager builds (§3.1), writing to stdout. */
export function tarArgv(o: TarBuildOptions): string[] {
  const argv = ["tar"];
  if (o.snapshot) argv.push(`--listed-incremental=${o.snapshot}`);
  if (o.excludes.anchored.length) argv.push("--anchored", ...o.excludes.anchored.map((x) => `--exclude=${x}`));
  if (o.excludes.unanchored.length) argv.push("--no-anchored", ...o.excludes.unanchored.map((x) => `--exclude=${x}`));
  if (o.dumpSymlinks) argv.push("-h");
  argv.push(...(o.extraOptions ?? []), "-p", "-c", "-f", "-", o.target);
  return o.niceLevel === undefined ? argv : ["nice", "-n", String(o.niceLevel), ...argv];
}

/** GNU tar as a child of the agent, shaped like a runner's command (its output read straight from the pipe). */
function spawnTar(argv: string[]): RunningCommand {
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-16384)));
  const done = new Promise<CommandExit>((resolve) => {
    child.on("error", (e) => resolve({ code: null, signal: null, stderr: e.message }));
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
  return { stdout: child.stdout, done, kill: () => child.kill("SIGTERM") };
}

async function runTarInto(o: TarBuildOptions, part: string): Promise<TarBuildResult & { tarSize: number }> {
  // The file is opened before tar starts: the pipeline must be attached synchronously after spawn,
  // or Node discards the output of a child that exits before anyone reads it.
  const fh = await open(part, "w+", 0o600); // read back by the compressor's hash worker
  const on = o.runner ? ` on "${o.runner.host}"` : "";
  const cmd = o.runner ? o.runner.start(tarArgv(o), { env: { LC_ALL: "C" } }) : spawnTar(tarArgv(o));
  const kill = () => cmd.kill();
  o.signal?.addEventListener("abort", kill, { once: true });
  try {
    const indexer = new TarIndexer();
    // The compressor shows the indexer each chunk: no stream stage between them.
    const sink = new BlockCompressor(fh, o.compression, o.blockSize ?? DEFAULT_BLOCK_SIZE, undefined, indexer.observe);
    try {
      await pipeline(cmd.stdout, sink, { signal: o.signal });
      await fh.sync();
    } catch (err) {
      cmd.kill();
      throw err;
    }
    const exit = await cmd.done;
    const warnings = exit.stderr.split("\n").filter((l) => l.trim() !== "" && !NOISE.some((re) => re.test(l)));
    if (exit.code === null && exit.signal === null) throw new Error(`Cannot run GNU tar${on}: ${exit.stderr.trim() || "no message"}`);
    if (exit.code !== 0 && exit.code !== 1) {
      const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
      throw new Error(`tar failed on "${o.target}"${on} (${how}): ${warnings.join("; ") || "no message"}`);
    }
    if (indexer.bytes === 0) throw new Error(`tar wrote nothing for "${o.target}"${on}`);
    if (o.beforeRename) await o.beforeRename();
    return { tarExit: exit.code, warnings, compress: sink.result(), members: indexer.members, tarSize: indexer.bytes };
  } finally {
    o.signal?.removeEventListener("abort", kill);
    await fh.close();
  }
}

/** Builds `o.output` atomically and writes its index sidecar (mode `indexMode`). */
export async function buildTarArchive(o: TarBuildOptions, indexMode = 0o600): Promise<TarBuildResult> {
  const res = await writeAtomically(o.output, (part) => runTarInto(o, part));
  const index: ArchiveIndex = {
    v: 1,
    kind: "tar",
    compression: o.compression,
    archiveSize: (await stat(o.output)).size,
    tarSize: res.tarSize,
    blockSize: o.blockSize ?? DEFAULT_BLOCK_SIZE,
    blocks: res.compress.blocks.map((b) => [b.u, b.c] as [number, number]),
    members: res.members,
  };
  await writeIndex(o.output, index, indexMode);
  return res;
}
