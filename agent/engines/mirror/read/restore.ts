// Restore = one traversal (walkAt) over a pluggable output: a directory on disk here, or any callback
// per entry (tar/zip streams). Per-entry failures are reported and the restore goes on ("partial").
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, chown, lchown, link, lstat, mkdir, rm, symlink, utimes } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { EngineCallbacks } from "@/agent/engines/types";
import { AgentError } from "@/agent/errors";
import { bpath, showPath } from "../format/fs-path";
import { walkAt, type WalkEntry, type WalkOptions } from "./walk";
import type { MirrorRepo } from "./repository";

const run = promisify(execFile);

/** Receives the entries of a restore, in metadata order (parents before children). */
export interface RestoreOutput {
  entry(e: WalkEntry): Promise<void>;
  /** Called once after the last entry (directory attributes, archive trailers...). */
  finish(): Promise<void>;
}

/** Outcome of a restore. */
export interface RestoreResult {
  status: "success" | "partial";
  entries: number;
  bytes: number;
  errors: Array<{ path: string; message: string }>;
  warnings: string[];
}

const IS_ROOT = process.getuid?.() === 0;

/** Writes the restored tree under `target` (which becomes the sub-tree root) with modes, times, owners, links. */
export class DirectoryOutput implements RestoreOutput {
  private readonly dirs: WalkEntry[] = [];
  bytes = 0;

  constructor(private readonly target: string, private readonly onWarning: (w: string) => void = () => {}) {}

  private dest(e: WalkEntry): Buffer {
    return bpath(this.target, e.rel);
  }

  async entry(e: WalkEntry): Promise<void> {
    const r = e.record;
    const dest = this.dest(e);
    switch (r.type) {
      case "dir":
        await mkdir(dest, { recursive: true, mode: 0o700 });
        this.dirs.push(e);
        return;
      case "reg":
        return this.regular(e, dest);
      case "sym":
        await symlink(r.symData ?? Buffer.alloc(0), dest);
        if (IS_ROOT) await lchown(dest, r.uid ?? 0, r.gid ?? 0);
        return;
      case "fifo":
        await run("mkfifo", ["-m", (r.perms ?? 0o644).toString(8), dest.toString("utf8")]);
        break;
      case "dev": {
        const d = r.deviceNum ?? { kind: "c", major: 0, minor: 0 };
        await run("mknod", [dest.toString("utf8"), d.kind, String(d.major), String(d.minor)]);
        break;
      }
      default:
        throw new Error(`Cannot restore "${showPath(e.path)}": entries of type "${r.type}" are not supported`);
    }
    await this.attrs(e, dest);
  }

  private async regular(e: WalkEntry, dest: Buffer): Promise<void> {
    if (e.linkTo) {
      try {
        await link(bpath(this.target, e.linkTo), dest);
        return;
      } catch {
        // the first member failed to restore: fall back to the path's own data
      }
    }
    if (e.warning) this.onWarning(e.warning);
    const sha1 = createHash("sha1");
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sha1.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Readable.from(e.open()), tap, createWriteStream(dest, { mode: 0o600 }));
    } catch (err) {
      await rm(dest, { force: true });
      throw err;
    }
    this.bytes += size;
    const want = e.record.sha1;
    if (want && !e.warning && sha1.digest("hex") !== want) {
      this.onWarning(`Checksum of "${showPath(e.path)}" does not match the metadata (SHA1 ${want})`);
    }
    await this.attrs(e, dest);
  }

  private async attrs(e: WalkEntry, dest: Buffer): Promise<void> {
    const r = e.record;
    if (IS_ROOT) await chown(dest, r.uid ?? 0, r.gid ?? 0);
    await chmod(dest, r.perms ?? 0o644);
    if (r.mtime !== undefined) await utimes(dest, r.mtime, r.mtime);
  }

  async finish(): Promise<void> {
    for (const e of this.dirs.reverse()) await this.attrs(e, this.dest(e));
  }
}

/** An output that hands each entry to a function (e.g. to append it to a tar or zip stream). */
export function callbackOutput(fn: (e: WalkEntry) => Promise<void>, finish: () => Promise<void> = async () => {}): RestoreOutput {
  return { entry: fn, finish };
}

/** Runs a restore of `sub` at `time` into `output`; per-entry failures go to callbacks and the result. */
export async function restoreTo(
  repo: MirrorRepo,
  sub: Buffer,
  time: number,
  output: RestoreOutput,
  cb: EngineCallbacks = {},
  opts: WalkOptions = {},
): Promise<RestoreResult> {
  const result: RestoreResult = { status: "success", entries: 0, bytes: 0, errors: [], warnings: [] };
  for await (const e of walkAt(repo, sub, time, opts)) {
    if (cb.signal?.aborted) throw new AgentError("cancelled", "Restore cancelled");
    try {
      await output.entry(e);
      result.entries++;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      result.errors.push({ path: showPath(e.path), message: error.message });
      cb.onItemError?.(showPath(e.path), error);
    }
    if (result.entries % 200 === 0) cb.onProgress?.({ items: result.entries, bytes: 0, currentPath: showPath(e.path) });
  }
  await output.finish();
  if (result.entries === 0 && result.errors.length === 0) {
    throw new AgentError("usage", `Cannot restore "${showPath(sub)}": it does not exist at that time`);
  }
  if (result.errors.length) result.status = "partial";
  return result;
}

/** Restores `sub` at `time` into the directory or file `target`; refuses an existing target unless `force`. */
export async function restoreToDirectory(
  repo: MirrorRepo,
  sub: Buffer,
  time: number,
  target: string,
  opts: { force?: boolean; callbacks?: EngineCallbacks; tmpDir?: string } = {},
): Promise<RestoreResult> {
  const exists = await lstat(target).then(() => true, () => false);
  if (exists && !opts.force) {
    throw new AgentError("usage", `Cannot restore to "${target}": it already exists (use --force to replace it)`);
  }
  if (exists) await rm(target, { recursive: true, force: true });
  const warnings: string[] = [];
  const out = new DirectoryOutput(target, (w) => {
    warnings.push(w);
    opts.callbacks?.onLog?.(`WARNING: ${w}`);
  });
  const res = await restoreTo(repo, sub, time, out, opts.callbacks, { tmpDir: opts.tmpDir });
  return { ...res, bytes: out.bytes, warnings };
}
