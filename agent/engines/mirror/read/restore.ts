// Restore = one traversal (walkAt) over a pluggable output: a directory on disk here, or any callback
// per entry (tar/zip streams). Per-entry failures are reported and the restore goes on ("partial").
import { createHash } from "node:crypto";
import { chmod, chown, lchown, link, lstat, mkdir, open, rename, rm, symlink, utimes } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { EngineCallbacks } from "@/agent/engines/types";
import { AgentError } from "@/agent/errors";
import { bpath, showPath } from "../format/fs-path";
import { walkAt, type WalkEntry, type WalkOptions } from "./walk";
import { TaskPool } from "./pool";
import { SparseWriter } from "../sparse";
import { OwnerMap } from "./owners";
import type { MirrorRepo } from "./repository";
import { copyInWorker, copyPoolUsable, holdCopyPool } from "../backup/copy-pool";
import { copySync } from "../backup/local-fast";
import type { CopyResult } from "../backup/copy-in";
import type { Attrs } from "../backup/repo-writer";

const run = promisify(execFile);

/** Receives the entries of a restore, in metadata order (parents before children). */
export interface RestoreOutput {
  entry(e: WalkEntry): Promise<void>;
  /** How many regular files `entry` may handle at once (default 1: strictly one after another). */
  concurrency?: number;
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
/**
 * Plain files up to this size are copied with synchronous calls (see directCopy); bigger ones stream
 * asynchronously, several at once, so disk reads overlap when the repository is not in the page cache.
 */
const SYNC_COPY_LIMIT = 1 << 20;

/** Writes the restored tree under `target` (which becomes the sub-tree root) with modes, times, owners, links. */
export class DirectoryOutput implements RestoreOutput {
  private readonly dirs: WalkEntry[] = [];
  /** Files straight from the mirror go to the copy worker in batches: many may wait for it at once. */
  readonly concurrency = 256;
  /** Files that are patched or streamed on this thread, at once (each holds streams and buffers). */
  private readonly streamed = new TaskPool(8);
  private readonly offThread = copyPoolUsable();
  bytes = 0;

  private readonly owners: OwnerMap;

  constructor(
    private readonly target: string,
    private readonly onWarning: (w: string) => void = () => {},
    opts: { preserveNumericalIds?: boolean } = {},
  ) {
    this.owners = new OwnerMap(opts.preserveNumericalIds);
  }

  private ids(r: WalkEntry["record"]): [number, number] {
    return [this.owners.uid(r.uid, r.uname), this.owners.gid(r.gid, r.gname)];
  }

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
        if (IS_ROOT) await lchown(dest, ...this.ids(r));
        return;
      case "fifo":
      case "sock":
      case "dev":
        await makeSpecial(r, dest, e.rel.length ? this.target : path.dirname(this.target));
        break;
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
    if (e.directFile && this.offThread) return this.copyOff(e, dest, e.directFile);
    if (e.directFile && (e.record.size ?? Infinity) <= SYNC_COPY_LIMIT) return this.directCopy(e, dest, e.directFile);
    await this.streamed.run(() => this.streamed1(e, dest));
  }

  /** A file rebuilt from increments (or too big to copy here in one go), streamed and hashed. */
  private async streamed1(e: WalkEntry, dest: Buffer): Promise<void> {
    const sha1 = createHash("sha1");
    let size = 0;
    const fh = await open(dest, "w", 0o600);
    try {
      const out = new SparseWriter(fh.fd);
      for await (const chunk of e.open()) {
        sha1.update(chunk);
        size += chunk.length;
        out.write(chunk);
      }
      out.finish();
      const r = e.record;
      if (IS_ROOT) await fh.chown(...this.ids(r));
      await fh.chmod(r.perms ?? 0o644);
      if (r.mtime !== undefined) await fh.utimes(r.mtime, r.mtime);
    } catch (err) {
      await fh.close();
      await rm(dest, { force: true });
      throw err;
    }
    await fh.close();
    this.bytes += size;
    const want = e.record.sha1;
    if (want && !e.warning && sha1.digest("hex") !== want) {
      this.onWarning(`Checksum of "${showPath(e.path)}" does not match the metadata (SHA1 ${want})`);
    }
  }

  /**
   * Plain files straight from the mirror: synchronous calls on purpose (the copy of the local fast path). Each
   * is a few microseconds, while a dozen async fs round trips per file cost far more CPU than the copy itself
   * on trees of many small files.
   */
  private directCopy(e: WalkEntry, dest: Buffer, src: Buffer): void {
    this.copied(e, copySync(src, dest, false, e.record.size ?? 0, this.fileAttrs(e.record)));
  }

  /** A plain mirror file copied by the copy worker thread (backup/copy-pool.ts): the same bytes, holes and attributes. */
  private async copyOff(e: WalkEntry, dest: Buffer, src: Buffer): Promise<void> {
    this.copied(e, await copyInWorker(src, dest, false, e.record.size ?? 0, this.fileAttrs(e.record), copySync));
  }

  private fileAttrs(r: WalkEntry["record"]): Attrs {
    const [uid, gid] = IS_ROOT ? this.ids(r) : [undefined, undefined];
    return { mode: r.perms ?? 0o644, uid, gid, mtime: r.mtime };
  }

  /** Counts a copied file's bytes and checks its SHA-1 against the metadata's. */
  private copied(e: WalkEntry, got: CopyResult): void {
    const r = e.record;
    this.bytes += got.bytes;
    if (r.sha1 && got.sha1 !== r.sha1) {
      this.onWarning(`Checksum of "${showPath(e.path)}" does not match the metadata (SHA1 ${r.sha1})`);
    }
  }

  private async attrs(e: WalkEntry, dest: Buffer): Promise<void> {
    const r = e.record;
    if (IS_ROOT) await chown(dest, ...this.ids(r));
    await chmod(dest, r.perms ?? 0o644);
    if (r.mtime !== undefined) await utimes(dest, r.mtime, r.mtime);
  }

  async finish(): Promise<void> {
    for (const e of this.dirs.reverse()) await this.attrs(e, this.dest(e));
  }
}

let specialSeq = 0;

/**
 * Creates a fifo, socket or device node at `dest`. The tools only take string paths, so the node is made
 * under an ASCII temporary name in the restore target (same file system) and renamed (names may be any bytes).
 */
async function makeSpecial(r: WalkEntry["record"], dest: Buffer, tmpDir: string): Promise<void> {
  const tmp = path.join(tmpDir, `.strata-special.${process.pid}.${specialSeq++}`);
  if (r.type === "fifo") await run("mkfifo", [tmp]);
  else if (r.type === "dev") {
    const d = r.deviceNum ?? { kind: "c", major: 0, minor: 0 };
    await run("mknod", [tmp, d.kind === "b" ? "b" : "c", String(d.major), String(d.minor)]);
  } else {
    const server = createServer();
    await new Promise<void>((ok, fail) => server.once("error", fail).listen(tmp, ok));
    await rename(tmp, dest);
    await new Promise<void>((ok) => server.close(() => ok()));
    return;
  }
  await rename(tmp, dest);
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
  const releasePool = holdCopyPool();
  try {
    return await restoreEntries(repo, sub, time, output, cb, opts);
  } finally {
    await releasePool();
  }
}

async function restoreEntries(repo: MirrorRepo, sub: Buffer, time: number, output: RestoreOutput, cb: EngineCallbacks, opts: WalkOptions): Promise<RestoreResult> {
  const result: RestoreResult = { status: "success", entries: 0, bytes: 0, errors: [], warnings: [] };
  const pool = new TaskPool(output.concurrency ?? 1);
  const one = async (e: WalkEntry) => {
    try {
      await output.entry(e);
      result.entries++;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      result.errors.push({ path: showPath(e.path), message: error.message });
      cb.onItemError?.(showPath(e.path), error);
    }
    if (result.entries % 200 === 0) cb.onProgress?.({ items: result.entries, bytes: 0, currentPath: showPath(e.path) });
  };
  for await (const e of walkAt(repo, sub, time, opts)) {
    if (cb.signal?.aborted) {
      await pool.drain();
      throw new AgentError("cancelled", "Restore cancelled");
    }
    // Regular files without a hard-link partner are independent; everything else keeps walk order.
    if (e.record.type === "reg" && !e.linkTo) await pool.add(() => one(e));
    else {
      if (e.linkTo) await pool.drain();
      await one(e);
    }
  }
  await pool.drain();
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
  opts: { force?: boolean; callbacks?: EngineCallbacks; tmpDir?: string; preserveNumericalIds?: boolean } = {},
): Promise<RestoreResult> {
  const absTarget = path.resolve(target), absRepo = path.resolve(repo.root);
  const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith("/") ? b : b + "/");
  if (inside(absTarget, absRepo) || inside(absRepo, absTarget)) {
    throw new AgentError("usage", `Cannot restore to "${target}": it is, holds or lies inside the repository "${repo.root}"`);
  }
  const exists = await lstat(target).then(() => true, () => false);
  if (exists && !opts.force) {
    throw new AgentError("usage", `Cannot restore to "${target}": it already exists (use --force to replace it)`);
  }
  if (exists) await rm(target, { recursive: true, force: true });
  const warnings: string[] = [];
  const out = new DirectoryOutput(target, (w) => {
    warnings.push(w);
    opts.callbacks?.onLog?.(`WARNING: ${w}`);
  }, { preserveNumericalIds: opts.preserveNumericalIds });
  const res = await restoreTo(repo, sub, time, out, opts.callbacks, { tmpDir: opts.tmpDir });
  return { ...res, bytes: out.bytes, warnings };
}
