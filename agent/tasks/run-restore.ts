// A restore run commanded by the console: a repository's path at a session time, written back to a directory on
// one of the agent's hosts (local or over SFTP) through a Target. Mirrors are read through their metadata and
// deltas; archive repositories through the tree of that time the data plane serves (treeAt: the latest archive
// day at or before it, each series' chain replayed), each file read from the archive that holds its version.
// Existing files are replaced only when the restore says `overwrite`; nothing else at the target is removed.
import path from "node:path";
import { AgentError } from "../errors";
import { nameOfBytes, segmentsAfter } from "../engines/archive/member-name";
import { bytesOfPath, treeAt, type Located } from "../engines/archive/repository-read";
import { treeFiles } from "../engines/archive/tree-files";
import { openRepository, restoreTimeFor, restoreTo, statAt, type WalkEntry } from "../engines/mirror/index";
import type { MetaRecord } from "../engines/mirror/format/metadata-record";
import { openHostTarget } from "../sources/target";
import type { HostConnection, RestoreParams } from "@/lib/schemas/agent-protocol";
import { TargetOutput } from "./target-output";
import type { RunOutcome, RunRecorder } from "./types";

/** Everything one restore run needs. */
export interface RestoreTask {
  runId: string;
  params: RestoreParams;
  host: HostConnection | undefined;
  repositoryRoots: string[];
  recorder: RunRecorder;
  signal: AbortSignal;
  stateDir: string;
  checkHostKey?(host: HostConnection, fingerprint: string): Promise<boolean>;
}

/** The repository's absolute path, which must lie inside one of the agent's repository roots. */
function confinedRepository(roots: readonly string[], repositoryPath: string): string {
  const full = path.resolve(path.resolve(roots[0] ?? "."), repositoryPath);
  const inside = roots.some((r) => full.startsWith(path.resolve(r) + path.sep));
  if (!inside) throw new AgentError("usage", `Repository "${repositoryPath}" is not under this agent's repository roots`);
  return full;
}

const trimSlashes = (p: string) => p.replace(/^\/+|\/+$/g, "");

/** The repository path to restore as bytes: `pathBase64` (exact bytes of a non-UTF-8 name) when given, else `path`. */
function pathBytes(p: RestoreParams): Buffer {
  if (p.pathBase64 === undefined) return Buffer.from(trimSlashes(p.path));
  const raw = Buffer.from(p.pathBase64, "base64url");
  let a = 0;
  let b = raw.length;
  while (a < b && raw[a] === 0x2f) a++;
  while (b > a && raw[b - 1] === 0x2f) b--;
  return raw.subarray(a, b);
}

/** The path as the archive tree keys it: its text, with each byte that is not UTF-8 written as `\xHH`. */
function archivePath(bytes: Buffer): string {
  return nameOfBytes(bytes).text;
}

/** What a restore reads: the top entry's kind, then a walk writing everything into `out`. */
interface RestoreSource {
  isDir: boolean;
  time: number;
  run(out: TargetOutput, cb: RestoreCallbacks): Promise<{ status: "success" | "partial"; errors: number }>;
}

interface RestoreCallbacks {
  signal: AbortSignal;
  onLog(line: string): void;
  onItemError(file: string, err: Error): void;
  onProgress(p: { items: number; bytes: number; currentPath?: string }): void;
}

async function mirrorSource(repository: string, p: RestoreParams): Promise<RestoreSource> {
  const repo = await openRepository(repository);
  const time = restoreTimeFor(repo, p.at);
  const sub = pathBytes(p);
  const top = await statAt(repo, sub, time);
  if (!top) throw new AgentError("usage", `Cannot restore "${p.path || "/"}": it does not exist at that time`);
  return {
    isDir: top.record.type === "dir",
    time,
    async run(out, cb) {
      const r = await restoreTo(repo, sub, time, out, cb);
      return { status: r.status, errors: r.errors.length };
    },
  };
}

const ARCHIVE_TYPES: Partial<Record<Located["type"], MetaRecord["type"]>> = { file: "reg", dir: "dir", symlink: "sym", fifo: "fifo", chardev: "dev", blockdev: "dev" };

/**
 * An archive repository's `path` as of `at`, resolved like the data plane's /v1/tree and /v1/file: folders,
 * links and the like first (in path order, so parents exist), then files grouped by archive; archives without
 * an index (backup-manager's) are read in one sequential pass each, the others member by member through the index.
 */
async function archiveSource(root: string, p: RestoreParams): Promise<RestoreSource> {
  const sub = archivePath(pathBytes(p));
  const state = await treeAt(root, p.at);
  if (!state) throw new AgentError("usage", `Cannot restore "${p.path || "/"}": the repository has no archive at or before ${new Date(p.at * 1000).toISOString()}`);
  const top = state.tree.get(sub);
  if (!top) throw new AgentError("usage", `Cannot restore "${p.path || "/"}": it does not exist at that time`);
  const inside = [...state.tree]
    .filter(([k]) => sub === "" || k === sub || k.startsWith(sub + "/"))
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // Each entry carries the exact bytes of its path (names that are not UTF-8, as its archive holds them).
  const depth = sub === "" ? 0 : sub.split("/").length;
  const entryOf = (k: string, e: Located, open: () => AsyncIterable<Buffer>): WalkEntry => {
    const record: MetaRecord = { path: bytesOfPath(k, e), type: ARCHIVE_TYPES[e.type] ?? null, size: e.size, mtime: e.mtime, perms: e.mode, uid: e.uid, gid: e.gid };
    if (e.type === "symlink") record.symData = e.linkTargetBytes ?? Buffer.from(e.linkTarget ?? "");
    return { path: record.path, rel: segmentsAfter(record.path, depth), record, open };
  };
  const nothing = () => (async function* () {})();
  return {
    isDir: top.type === "dir",
    time: state.session.time,
    async run(out, cb) {
      let items = 0;
      let errors = 0;
      const one = async (k: string, e: WalkEntry) => {
        if (cb.signal.aborted) throw new AgentError("cancelled", "Restore cancelled");
        try {
          await out.entry(e);
        } catch (err) {
          errors++;
          cb.onItemError(k, err instanceof Error ? err : new Error(String(err)));
        }
        if (++items % 200 === 0) cb.onProgress({ items, bytes: out.bytes, currentPath: k });
      };
      for (const [k, e] of inside) if (e.type !== "file") await one(k, entryOf(k, e, nothing));
      // Files: one pass over each archive without an index; the rest (indexed, zip, dumps) member by member.
      const files = treeFiles(
        inside.filter(([, e]) => e.type === "file"),
        {
          archiveFile: (name) => path.join(root, name),
          onMissing: (k, e, file) => {
            errors++;
            cb.onItemError(k, new Error(`member "${e.member ?? k}" not found in "${path.basename(file)}"`));
          },
        },
      );
      for await (const f of files) await one(f.path, entryOf(f.path, f.entry, f.open));
      await out.finish();
      cb.onProgress({ items, bytes: out.bytes });
      return { status: errors ? "partial" : "success", errors };
    },
  };
}

/** Runs the restore and finishes its report; resolves to the outcome (never rejects). */
export async function runRestoreTask(task: RestoreTask): Promise<RunOutcome> {
  const { params: p, recorder: rec } = task;
  let outcome: RunOutcome;
  try {
    const repository = confinedRepository(task.repositoryRoots, p.repositoryPath);
    await rec.update({ status: "running", startedAt: new Date().toISOString(), repository, format: p.format });
    if (!task.host) throw new AgentError("usage", `Host "${p.hostId}" is not one of this agent's hosts`);
    const within = (a: string, b: string) => a === b || a.startsWith(b.endsWith("/") ? b : b + "/");
    if (task.host.local && (within(path.resolve(p.target), repository) || within(repository, path.resolve(p.target)))) {
      throw new AgentError("usage", `Cannot restore to "${p.target}": it is, holds or lies inside the repository "${repository}"`);
    }
    const source = p.format === "mirror" ? await mirrorSource(repository, p) : await archiveSource(repository, p);
    rec.log(`Restoring "${p.path || "/"}" as of ${new Date(source.time * 1000).toISOString()} to "${p.target}" on "${task.host.name}"`);
    // A directory becomes the target directory; anything else is written as the target path itself.
    const isDir = source.isDir;
    const ctx = { stateDir: task.stateDir, checkHostKey: task.checkHostKey, signal: task.signal };
    const target = await openHostTarget(task.host, isDir ? p.target : path.posix.dirname(p.target), ctx);
    const out = new TargetOutput(target, { overwrite: p.overwrite, onWarning: (w) => rec.log(`WARNING: ${w}`), name: isDir ? undefined : Buffer.from(path.posix.basename(p.target)) });
    let r;
    try {
      r = await source.run(out, {
        signal: task.signal,
        onLog: (l) => rec.log(l),
        onItemError: (file, err) => rec.log(`WARNING: cannot restore "${file}": ${err.message}`),
        onProgress: (pr) => rec.progress(pr),
      });
    } finally {
      await target.close().catch(() => undefined);
    }
    outcome = {
      status: r.status,
      stats: { restoredFiles: out.files, restoredBytes: out.bytes, errors: r.errors },
      ...(r.status === "partial" ? { reason: `${r.errors} item(s) could not be restored` } : {}),
    };
  } catch (err) {
    const message = (err as Error).message;
    outcome = task.signal.aborted || (err instanceof AgentError && err.kind === "cancelled") ? { status: "cancelled", reason: message } : { status: "failed", reason: message };
    rec.log(outcome.reason!);
  }
  await rec.finish(outcome);
  return outcome;
}
