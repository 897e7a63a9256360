// One pass of a backup session: walks the selected source and the previous metadata together (both in
// path-tuple order) and, per path, writes the increment BEFORE touching the mirror (§4.1 step 4).
// Outline: 1. collate source items with old records; 2. close directory frames the path is not under;
// 3. new / unchanged / changed / deleted → increments, mirror, new metadata record, change set;
// 4. directory attributes are applied when their frame closes (after their contents).
import { promises as fsp } from "node:fs";
import { AgentError } from "@/agent/errors";
import type { Source } from "@/agent/sources/types";
import { comparePaths, type MetaRecord } from "../format/metadata-record";
import { allocateLongName, needsLongIncrementName } from "../format/long-names";
import type { Quoting } from "../format/quoting";
import { quoteRelPath } from "../format/quoting";
import type { Selection } from "../selection/selection";
import { selectedWalkBatches, type WalkItem } from "../selection/walk";
import { baseName } from "../format/metadata-record";
import { recordChanged, recordOf } from "./records";
import { applyNew, applyChange, applyRemove, prepareEntry, type Prepared } from "./apply";
import { writeDirInc, type IncrementTarget } from "./increments";
import { mkdirAt, removeAt, renameAt, setDirAttrsSync } from "./repo-writer";
import { DeferredLog, type PassLog, type SessionLog } from "./session-log";
import type { FastLocal } from "./local-fast";

/**
 * Paths whose file work may overlap (staging, increments, installs, directory closes); they are recorded in
 * path order. With the synchronous local path a path in flight is mostly an increment's fsync (bounded in
 * increments.ts), so the window is wide: with 1% of files changed, a narrow one would wait for the fsyncs one
 * by one. Through the async Source interface every path in flight may hold a read stream: a narrow window.
 */
const WINDOW_FAST = 1024;
const WINDOW_ASYNC = 8;

/** Everything one pass needs. */
export interface PassContext {
  repo: string;
  quoting: Quoting;
  source: Source;
  selection: Selection;
  /** False for the first session (no increments at all). */
  incremental: boolean;
  /** The mirror may hold leftovers of an interrupted first session: replace what is in the way. */
  dirtyMirror: boolean;
  inc: IncrementTarget;
  log: SessionLog;
  signal?: AbortSignal;
  /** Synchronous file access when the source is a local directory. */
  fast?: FastLocal;
}

/** An open directory of the walk. */
export interface Frame {
  path: Buffer;
  mirror: Buffer;
  old?: MetaRecord;
  rec?: MetaRecord;
  /** Its own increment (or the root's increments.<P>.dir) exists. */
  incDone: boolean;
  state: "live" | "deleted" | "replaced";
  replacement?: Prepared;
  seen?: Set<string>;
}

/** Hard-link groups met so far this session: first mirror path and SHA1, by "dev:ino". */
export type LinkGroups = Map<string, { mirror: Buffer; sha1?: string }>;

export class TreePass {
  readonly frames: Frame[] = [];
  readonly groups: LinkGroups = new Map();
  private readonly failedDirs: Buffer[] = [];
  private readonly pending = new Fifo<{ work: Promise<void>; log: DeferredLog }>();
  private incChain: Promise<void> = Promise.resolve();
  private longChain: Promise<void> = Promise.resolve();
  private readonly repoPrefix: Buffer;
  private readonly window: number;
  /** The last directory close queued, and the paths queued since: what the next close waits for. */
  private barrier: Promise<unknown> = Promise.resolve();
  private sinceBarrier: Array<Promise<void>> = [];

  constructor(readonly ctx: PassContext) {
    this.repoPrefix = Buffer.from(ctx.repo.endsWith("/") ? ctx.repo : ctx.repo + "/");
    this.window = ctx.fast ? WINDOW_FAST : WINDOW_ASYNC;
  }

  /** Absolute mirror path of a relative path. */
  mirrorOf(rel: Buffer): Buffer {
    return rel.length === 0 ? Buffer.from(this.ctx.repo) : Buffer.concat([this.repoPrefix, quoteRelPath(this.ctx.quoting, rel)]);
  }

  /** Runs the pass over `oldRecords` (metadata at P, sorted, in batches; empty for a first session). */
  async run(oldRecords: AsyncIterable<MetaRecord[]>): Promise<void> {
    const src = new Cursor(selectedWalkBatches(this.ctx.source, this.ctx.selection, (p, err) => {
      this.failedDirs.push(Buffer.from(p));
      this.ctx.log.error("ListError", p, err);
    }));
    const old = new Cursor(oldRecords);
    try {
      await this.walk(src, old);
    } catch (err) {
      await this.settle();
      throw err;
    }
  }

  private async walk(src: Cursor<WalkItem>, old: Cursor<MetaRecord>): Promise<void> {
    let s = src.next() ?? (await src.refill());
    let o = old.next() ?? (await old.refill());
    while (s || o) {
      this.checkCancelled();
      const c = !s ? 1 : !o ? -1 : comparePaths(s.path, o.path);
      const item = c <= 0 ? s : undefined;
      const rec = c >= 0 ? o : undefined;
      await this.closeUntil(item?.path ?? rec!.path);
      await this.visit(item, rec);
      if (c <= 0) s = src.next() ?? (await src.refill());
      if (c >= 0) o = old.next() ?? (await old.refill());
    }
    await this.closeUntil(undefined);
    await this.drain(0);
  }

  private async visit(item: WalkItem | undefined, old: MetaRecord | undefined): Promise<void> {
    if (old && old.type === null) old = undefined;
    if (!item && !old) return;
    const path = item?.path ?? old!.path;
    this.frames[this.frames.length - 1]?.seen?.add(baseName(path).toString("hex"));
    const same = item && old ? this.unchangedPlainFile(item, old) : undefined;
    if (same) {
      if (this.pending.length === 0) return this.ctx.log.record(same, old, undefined, false);
      const log = new DeferredLog();
      void log.record(same, old, undefined, false);
      this.pending.push({ work: DONE, log });
      if (this.pending.length >= this.window) await this.drain(this.window - 1);
      return;
    }
    const e = item?.entry;
    const dirLike = old?.type === "dir" || e?.type === "dir";
    const linked = e?.type === "file" && e.nlink > 1;
    if (linked) await this.drain(0); // its group's first path must be installed before it links to it
    const log = new DeferredLog();
    const work = this.process(item, old, path, log, [...this.frames]);
    if (dirLike || linked) await work; // frames are opened in order; the record still waits its turn
    else work.catch(() => undefined); // awaited in order by drain(); this only keeps it from being "unhandled"
    this.pending.push({ work, log });
    this.sinceBarrier.push(work);
    if (this.pending.length >= this.window) await this.drain(this.window - 1);
  }

  /**
   * The new record of an unchanged regular file with a single link (most paths of an incremental session),
   * decided without the per-path async machinery; undefined when the path needs the full treatment.
   * Same outcome as process() → keep() for such a path.
   */
  private unchangedPlainFile(item: WalkItem, old: MetaRecord): MetaRecord | undefined {
    const e = item.entry;
    if (e.type !== "file" || e.nlink > 1 || old.type !== "reg") return undefined;
    if (!old.altIncName && needsLongIncrementName(this.ctx.quoting.quote(baseName(item.path)))) return undefined;
    const rec = recordOf(item.path, e);
    if (recordChanged(old, rec)) return undefined;
    rec.altIncName = old.altIncName;
    rec.sha1 = old.sha1;
    return rec;
  }

  /** Waits for in-flight paths (oldest first) until at most `keep` remain, recording each in path order. */
  private async drain(keep: number): Promise<void> {
    while (this.pending.length > keep) {
      const head = this.pending.shift()!;
      await head.work;
      await head.log.replay(this.ctx.log);
      this.checkCancelled();
    }
  }

  private checkCancelled(): void {
    if (this.ctx.signal?.aborted) throw new AgentError("cancelled", "the session was cancelled");
  }

  /** Waits for every in-flight path without recording (after a failure, before regress). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.drainAll().map((p) => p.work));
  }

  private async process(item: WalkItem | undefined, old: MetaRecord | undefined, path: Buffer, log: PassLog, anc: Frame[]): Promise<void> {
    if (!item) {
      if (this.underFailedDir(path)) return log.keep(old!);
      return applyRemove(this, old!, log, anc);
    }
    const prepared = await prepareEntry(this, item, log);
    if (!prepared) {
      if (old) await log.keep(old);
      if (old?.type === "dir") this.failedDirs.push(Buffer.from(path));
      return;
    }
    const rec = prepared.rec;
    if (path.length > 0) rec.altIncName = old?.altIncName ?? (await this.longName(path));
    if (!old) return applyNew(this, prepared, log, anc);
    if (!recordChanged(old, rec)) return this.keep(prepared, old, log);
    return applyChange(this, prepared, old, log, anc);
  }

  private async keep(p: Prepared, old: MetaRecord, log: PassLog): Promise<void> {
    const rec = p.rec;
    rec.sha1 = old.sha1;
    if (rec.type === "reg" && (rec.numHardLinks ?? 1) > 1) {
      const key = `${rec.deviceLoc}:${rec.inode}`;
      const group = this.groups.get(key);
      if (group) rec.sha1 = undefined;
      else this.groups.set(key, { mirror: this.mirrorOf(rec.path), sha1: old.sha1 });
    }
    if (rec.type === "dir") this.open({ path: rec.path, mirror: this.mirrorOf(rec.path), old, rec, incDone: false, state: "live" });
    await log.record(rec, old, undefined, false);
  }

  /** Pushes a directory frame (the root's mirror already exists; others are made by the caller). */
  open(f: Frame): void {
    if (this.ctx.dirtyMirror && f.state === "live") f.seen = new Set();
    this.frames.push(f);
  }

  /** Writes the `.dir` increments of the given open directories that have none yet (ancestors of a change). */
  ensureIncs(anc: Frame[]): Promise<void> {
    if (!this.ctx.incremental) return Promise.resolve();
    this.incChain = this.incChain.then(async () => {
      for (const f of anc) {
        if (f.incDone) continue;
        f.incDone = true;
        if (!f.old) continue;
        await writeDirInc(this.ctx.inc, f.path, f.old);
        this.ctx.log.increment(0);
      }
    });
    return this.incChain;
  }

  private async closeUntil(next: Buffer | undefined): Promise<void> {
    while (this.frames.length > 0) {
      const top = this.frames[this.frames.length - 1];
      if (next && isUnder(next, top.path)) return;
      this.frames.pop();
      await this.enqueueClose(top);
    }
  }

  /**
   * A directory is finished once everything in flight before it is (its contents): its close (attributes,
   * removal, replacement) queues behind them instead of waiting here, so the walk goes on meanwhile.
   */
  private async enqueueClose(f: Frame): Promise<void> {
    const work = Promise.all([this.barrier, ...this.sinceBarrier]).then(() => this.close(f));
    work.catch(() => undefined); // awaited in order by drain()
    this.barrier = work;
    this.sinceBarrier = [];
    this.pending.push({ work, log: new DeferredLog() });
    if (this.pending.length >= this.window) await this.drain(this.window - 1);
  }

  private async close(f: Frame): Promise<void> {
    if (f.state === "deleted") return removeAt(f.mirror);
    if (f.state === "replaced") {
      await removeAt(f.mirror);
      await renameAt(f.replacement!.tmp!, f.mirror);
      return;
    }
    if (f.seen) await this.removeUnseen(f);
    if (f.incDone || !this.ctx.incremental || f.seen) {
      const r = f.rec!;
      setDirAttrsSync(f.mirror, { mode: r.perms, uid: r.uid, gid: r.gid, mtime: r.mtime });
    }
  }

  /** After an interrupted first session: drop mirror entries the source no longer has. */
  private async removeUnseen(f: Frame): Promise<void> {
    const names = (await fsp.readdir(f.mirror, { encoding: "buffer" }).catch(() => [])) as Buffer[];
    for (const n of names) {
      const raw = this.ctx.quoting.unquote(n);
      if (f.path.length === 0 && raw.toString("latin1") === "rdiff-backup-data") continue;
      if (!f.seen!.has(raw.toString("hex"))) await removeAt(Buffer.concat([f.mirror, Buffer.from("/"), n]));
    }
  }

  /** Makes a mirror directory for a new or retyped path. */
  async makeDir(mirror: Buffer): Promise<void> {
    if (this.ctx.dirtyMirror) {
      const st = await fsp.lstat(mirror).catch(() => undefined);
      if (st?.isDirectory()) return;
      if (st) await removeAt(mirror);
    }
    await mkdirAt(mirror, 0o700);
  }

  /** Keeps a subtree as it was at P (its source could not be read): old records carry over untouched. */
  skipSubtree(path: Buffer): void {
    this.failedDirs.push(Buffer.from(path));
  }

  private underFailedDir(path: Buffer): boolean {
    return this.failedDirs.some((d) => isUnder(path, d));
  }

  private async longName(path: Buffer): Promise<Buffer | undefined> {
    const stored = this.ctx.quoting.quote(baseName(path));
    if (!needsLongIncrementName(stored)) return undefined;
    const next = this.longChain.then(() => allocateLongName(this.ctx.repo));
    this.longChain = next.then(() => undefined, () => undefined);
    return next;
  }
}

/** Whether `path` lies strictly inside directory `dir` ("" = root). */
export function isUnder(path: Buffer, dir: Buffer): boolean {
  if (dir.length === 0) return path.length > 0;
  if (path.length <= dir.length || path[dir.length] !== 0x2f) return false;
  // Byte loop from the end (sibling paths differ late): cheaper than a subarray + native equals per call.
  for (let i = dir.length - 1; i >= 0; i--) if (path[i] !== dir[i]) return false;
  return true;
}

const DONE: Promise<void> = Promise.resolve();

/** Reads a stream of batches one item at a time: synchronously within a batch, awaiting only between them. */
class Cursor<T> {
  private batch: T[] = [];
  private i = 0;
  private readonly it: AsyncIterator<T[]>;

  constructor(batches: AsyncIterable<T[]>) {
    this.it = batches[Symbol.asyncIterator]();
  }

  /** The next item of the current batch, or undefined when it is used up (then call refill). */
  next(): T | undefined {
    if (this.i < this.batch.length) {
      const x = this.batch[this.i];
      this.batch[this.i++] = undefined as T; // release as we go
      return x;
    }
    return undefined;
  }

  /** Loads batches until one has an item and returns it; undefined at the end. */
  async refill(): Promise<T | undefined> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) return undefined;
      this.batch = r.value;
      this.i = 0;
      const x = this.next();
      if (x !== undefined) return x;
    }
  }
}

/** A queue with O(1) shift (Array#shift moves every element: the window holds up to 1024). */
class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(x: T): void {
    this.items.push(x);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  /** Empties the queue, returning what it held (oldest first). */
  drainAll(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}
