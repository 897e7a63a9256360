// One backup session into an rdiff-backup 2.x repository, in the write order of §4.1 so that a crash at
// any point leaves a state regress (ours or rdiff-backup's) returns to the previous session.
// Outline: 1. check the target and lock it; 2. regress a failed session / clean an interrupted first one;
// 3. incremental: new current_mirror marker first; first session: marker last; 4. the tree pass
// (increments before mirror changes); 5. metadata snapshot, EA/ACL, previous snapshot → reverse diff;
// 6. error_log, statistics; 7. remove the old marker; 8. backup.log.
import { appendFile, mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "@/agent/errors";
import type { EngineCallbacks, SessionResult } from "@/agent/engines/types";
import type { Source } from "@/agent/sources/types";
import { readMetadataBatchesAt, listMetadataFiles, shouldConvertToDiff } from "../format/metadata-chain";
import { MetadataWriter } from "../format/metadata-stream";
import type { MetaRecord } from "../format/metadata-record";
import { DATA_DIR, dataFileName, listDataFiles } from "../format/names";
import { NO_QUOTING, readQuoting } from "../format/quoting";
import { FileStatisticsWriter, formatSessionStatistics } from "../format/statistics";
import { acquireLock, LOCK_FILE } from "../lock";
import { regressRepository } from "../regress/regress";
import { buildSelection, type SelectionRule } from "../selection/selection";
import { ChangeSetFile } from "./change-set";
import { syncDir, touchAt } from "./repo-writer";
import { inspectRepository } from "./repo-state";
import { SessionLog } from "./session-log";
import { TreePass } from "./tree-pass";
import { holdCopyPool } from "./copy-pool";
import { fastLocalOf } from "./local-fast";
import { timeToString } from "@/lib/timespec";
import { countWrite } from "./write-hook";

/** Inputs of one backup session. */
export interface BackupOptions {
  source: Source;
  repo: string;
  selection?: SelectionRule[];
  /** Session time (epoch seconds); default now. */
  currentTime?: number;
  /** Write into a non-empty directory that is not a repository. */
  force?: boolean;
  /** Also write the change set as NDJSON here. */
  changeSetFile?: string;
  callbacks?: EngineCallbacks;
}

/** Runs one session and resolves to its result; throws AgentError for session-level failures. */
export async function backupSession(opts: BackupOptions): Promise<SessionResult> {
  const startedAt = new Date();
  const repo = path.resolve(opts.repo);
  const dataDir = path.join(repo, DATA_DIR);
  const cb = opts.callbacks ?? {};
  const rootEntry = await opts.source.stat(Buffer.alloc(0)).catch((err: unknown) => {
    throw new AgentError("fatal", `Cannot back up "${opts.source.root.toString()}": ${(err as Error).message}`, { cause: err });
  });
  if (rootEntry.type !== "dir") throw new AgentError("fatal", `Cannot back up "${opts.source.root.toString()}": not a directory`);
  const selection = buildSelection(opts.source.root, opts.selection ?? [], rootEntry.dev);
  await prepareTarget(repo, dataDir, opts.force ?? false);
  const lock = await acquireLock(repo, dataDir);
  const releasePool = holdCopyPool();
  try {
    let state = await inspectRepository(repo, dataDir);
    if (state.kind === "failed") {
      cb.onLog?.(`WARNING: previous backup to "${repo}" failed; regressing to its last complete session`);
      await regressRepository(repo);
      state = await inspectRepository(repo, dataDir);
    }
    const time = opts.currentTime ?? Math.floor(Date.now() / 1000);
    const previous = state.kind === "ok" ? state.mirrorTime : null;
    if (previous !== null && time <= previous) {
      throw new AgentError("fatal", `Cannot back up into "${repo}": the last session (${previous}) is not in the past (now ${time})`);
    }
    if (state.kind === "interrupted") await cleanInterruptedFirst(dataDir);
    const dirty = state.kind !== "ok" && (await hasMirrorEntries(repo));
    const quoting = previous === null ? NO_QUOTING : await readQuoting(dataDir);
    const session = { repo, dataDir, time, previous, quoting, dirty, startedAt };
    return await runSession(opts, selection, session);
  } finally {
    await releasePool();
    await lock.release();
  }
}

interface Session {
  repo: string;
  dataDir: string;
  time: number;
  previous: number | null;
  quoting: typeof NO_QUOTING;
  dirty: boolean;
  startedAt: Date;
}

async function runSession(opts: BackupOptions, selection: ReturnType<typeof buildSelection>, s: Session): Promise<SessionResult> {
  const cb = opts.callbacks ?? {};
  const D = (name: string) => path.join(s.dataDir, name);
  const incremental = s.previous !== null;
  if (incremental) await writeMarker(D(dataFileName("current_mirror", s.time, "data")));
  else await initDataDir(s.dataDir);
  const meta = new MetadataWriter(D(dataFileName("mirror_metadata", s.time, "snapshot")), "always");
  const fileStats = new FileStatisticsWriter(D(dataFileName("file_statistics", s.time, "data", true)));
  const changeFile = opts.changeSetFile
    ? new ChangeSetFile(opts.changeSetFile, { v: 1, kind: "header", format: "mirror", time: s.time, previousTime: s.previous })
    : undefined;
  const reverseDiff = incremental ? new MetadataWriter(D(REVERSE_DIFF_TMP), "maybe") : undefined;
  const log = new SessionLog(meta, fileStats, cb, changeFile, reverseDiff);
  const fast = await fastLocalOf(opts.source);
  const label = incremental ? timeToString(s.previous!) : "";
  const pass = new TreePass({
    repo: s.repo,
    quoting: s.quoting,
    source: fast?.source ?? opts.source,
    fast,
    selection,
    incremental,
    dirtyMirror: s.dirty,
    inc: { repo: s.repo, dataDir: s.dataDir, quoting: s.quoting, label },
    log,
    signal: cb.signal,
  });
  try {
    const old: AsyncIterable<MetaRecord[]> = incremental ? readMetadataBatchesAt(s.repo, s.previous!) : emptyRecords();
    await pass.run(old);
    await meta.close();
    await fileStats.close();
    await touchAt(Buffer.from(D(dataFileName("extended_attributes", s.time, "snapshot"))), 0o600);
    await touchAt(Buffer.from(D(dataFileName("access_control_lists", s.time, "snapshot"))), 0o600);
    if (incremental) await convertPreviousSnapshot(s, reverseDiff!);
    await writeErrorLog(D, s.time, log.errorLines);
    const finishedAt = new Date();
    const c = log.counters;
    countWrite();
    await writeFile(D(dataFileName("session_statistics", s.time, "data")), formatSessionStatistics({
      StartTime: s.startedAt.getTime() / 1000, EndTime: finishedAt.getTime() / 1000, SourceFiles: c.sourceFiles,
      SourceFileSize: c.sourceBytes, MirrorFiles: c.mirrorFiles, MirrorFileSize: c.mirrorBytes, NewFiles: c.newFiles,
      NewFileSize: c.newBytes, DeletedFiles: c.deletedFiles, DeletedFileSize: c.deletedBytes, ChangedFiles: c.changedFiles,
      ChangedSourceSize: c.changedSourceBytes, ChangedMirrorSize: c.changedMirrorBytes, IncrementFiles: c.incrementFiles,
      IncrementFileSize: c.incrementBytes, Errors: c.errors,
    }));
    await syncDir(s.repo);
    await syncDir(s.dataDir);
    if (incremental) {
      countWrite();
      await unlink(D(dataFileName("current_mirror", s.previous!, "data")));
      await removeOtherMarkers(s.dataDir, s.time);
    } else await writeMarker(D(dataFileName("current_mirror", s.time, "data")));
    await log.flush();
    await changeFile?.close();
    const status = c.errors > 0 ? "partial" : "success";
    await appendFile(D("backup.log"), `NOTE: Strata backup session ${timeToString(s.time)} finished (${status}): ` +
      `${c.newFiles} new, ${c.changedFiles} changed, ${c.deletedFiles} deleted, ${c.errors} errors\n`);
    return {
      status, time: s.time, startedAt: s.startedAt, finishedAt,
      stats: { sourceFiles: c.sourceFiles, sourceBytes: c.sourceBytes, changedFiles: c.changedFiles, newFiles: c.newFiles,
        deletedFiles: c.deletedFiles, incrementBytes: c.incrementBytes, errors: c.errors },
    };
  } catch (err) {
    await meta.close().catch(() => undefined);
    await reverseDiff?.close().catch(() => undefined);
    await fileStats.close().catch(() => undefined);
    await changeFile?.close().catch(() => undefined);
    throw await failSession(s, incremental, err);
  }
}

/** Turns a session failure into a clear error, after returning the repository to the previous session. */
async function failSession(s: Session, incremental: boolean, err: unknown): Promise<AgentError> {
  const code = (err as NodeJS.ErrnoException).code;
  const cause = code === "ENOSPC" ? "no space left on device" : err instanceof Error ? err.message : String(err);
  if (!incremental) {
    return new AgentError("fatal", `Cannot back up into "${s.repo}": ${cause}; the next run starts the first session again`, { cause: err });
  }
  try {
    await regressRepository(s.repo);
  } catch (regressErr) {
    return new AgentError("fatal", `Cannot back up into "${s.repo}": ${cause}; regress failed too (${(regressErr as Error).message}), run "strata-agent regress"`, { cause: err });
  }
  const kind = err instanceof AgentError && err.kind === "cancelled" ? "cancelled" : "fatal";
  return new AgentError(kind, `Cannot back up into "${s.repo}": ${cause}; the repository was returned to the previous session`, { cause: err });
}

async function* emptyRecords(): AsyncGenerator<MetaRecord[]> {}

/** Target checks: not a file; non-empty non-repositories need --force; creates the repository dirs. */
async function prepareTarget(repo: string, dataDir: string, force: boolean): Promise<void> {
  const st = await stat(repo).catch(() => undefined);
  if (st && !st.isDirectory()) throw new AgentError("fatal", `Cannot back up into "${repo}": it exists and is not a directory`);
  if (st && !(await stat(dataDir).catch(() => undefined))) {
    const entries = await readdir(repo);
    if (entries.length > 0 && !force) {
      throw new AgentError("fatal", `Cannot back up into "${repo}": it is not empty and not an rdiff-backup repository (use --force to overwrite)`);
    }
  }
  await mkdir(repo, { recursive: true });
  await mkdir(dataDir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
}

async function initDataDir(dataDir: string): Promise<void> {
  await mkdir(path.join(dataDir, "increments"), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  countWrite();
  await writeFile(path.join(dataDir, "chars_to_quote"), "");
  await writeFile(path.join(dataDir, "special_escapes"), "");
}

async function writeMarker(file: string): Promise<void> {
  countWrite();
  const fh = await open(file, "w", 0o600);
  await fh.writeFile(`PID ${process.pid}\n`);
  await fh.sync();
  await fh.close();
  await syncDir(path.dirname(file));
}

/** Temp name of the reverse metadata diff while the pass writes it (regress deletes rdiff-backup.tmp.*). */
const REVERSE_DIFF_TMP = "rdiff-backup.tmp.mirror_metadata-diff";

/** §1.6: the previous snapshot becomes the reverse diff built during the pass (unless the chain cap keeps it). */
async function convertPreviousSnapshot(s: Session, diff: MetadataWriter): Promise<void> {
  const written = await diff.close();
  const files = await listMetadataFiles(s.repo);
  const prev = files.find((f) => f.time === s.previous && f.kind === "snapshot");
  if (!prev || !shouldConvertToDiff(files, s.previous!)) return void (await unlink(written));
  const name = dataFileName("mirror_metadata", s.previous!, "diff", written.endsWith(".gz"));
  countWrite();
  await rename(written, path.join(s.dataDir, name));
  countWrite();
  await unlink(prev.file);
}

async function writeErrorLog(D: (n: string) => string, time: number, lines: string[]): Promise<void> {
  countWrite();
  if (lines.length === 0) return void (await writeFile(D(dataFileName("error_log", time, "data")), ""));
  const { gzipSync } = await import("node:zlib");
  await writeFile(D(dataFileName("error_log", time, "data", true)), gzipSync(Buffer.from(lines.join("\n") + "\n")));
}

async function removeOtherMarkers(dataDir: string, keep: number): Promise<void> {
  for (const f of await listDataFiles(dataDir)) {
    if (f.prefix === "current_mirror" && f.time !== keep) await unlink(path.join(dataDir, f.name));
  }
}

/** An interrupted first session: rdiff-backup-data is emptied (except our lock) and the session starts over. */
async function cleanInterruptedFirst(dataDir: string): Promise<void> {
  for (const name of await readdir(dataDir)) {
    if (name !== LOCK_FILE) await rm(path.join(dataDir, name), { recursive: true, force: true });
  }
}

async function hasMirrorEntries(repo: string): Promise<boolean> {
  return (await readdir(repo)).some((n) => n !== DATA_DIR);
}
