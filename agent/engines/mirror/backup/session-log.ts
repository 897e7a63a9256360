// What a session records besides the mirror: the new metadata snapshot, file_statistics, error_log lines,
// session counters, and the change set (callbacks + NDJSON file).
import type { EngineCallbacks } from "@/agent/engines/types";
import type { MetadataWriter } from "../format/metadata-stream";
import type { MetaRecord } from "../format/metadata-record";
import type { FileStatisticsWriter } from "../format/statistics";
import { changeEntry, type ChangeSetFile } from "./change-set";
import { sameFields } from "./records";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";

/** Counters behind session_statistics and SessionResult. */
export interface Counters {
  sourceFiles: number;
  sourceBytes: number;
  mirrorFiles: number;
  mirrorBytes: number;
  newFiles: number;
  newBytes: number;
  deletedFiles: number;
  deletedBytes: number;
  changedFiles: number;
  changedSourceBytes: number;
  changedMirrorBytes: number;
  incrementFiles: number;
  incrementBytes: number;
  errors: number;
}

/** The calls the pass makes to record what happened to a path. */
export interface PassLog {
  record(rec: MetaRecord, old: MetaRecord | undefined, incSize: number | undefined, changed?: boolean): Promise<void>;
  keep(old: MetaRecord): Promise<void>;
  deleted(old: MetaRecord, incSize: number): Promise<void>;
  increment(size: number): void;
  error(kind: "ListError" | "UpdateError" | "SpecialFileError", path: Buffer, err: unknown): void;
}

/** Buffers one path's log calls so paths processed concurrently are recorded in path order. */
export class DeferredLog implements PassLog {
  private calls: Array<(log: PassLog) => unknown> = [];
  async record(rec: MetaRecord, old: MetaRecord | undefined, incSize: number | undefined, changed = true): Promise<void> {
    this.calls.push((l) => l.record(rec, old, incSize, changed));
  }
  async keep(old: MetaRecord): Promise<void> {
    this.calls.push((l) => l.keep(old));
  }
  async deleted(old: MetaRecord, incSize: number): Promise<void> {
    this.calls.push((l) => l.deleted(old, incSize));
  }
  increment(size: number): void {
    this.calls.push((l) => l.increment(size));
  }
  error(kind: "ListError" | "UpdateError" | "SpecialFileError", path: Buffer, err: unknown): void {
    this.calls.push((l) => l.error(kind, path, err));
  }
  /** Replays the buffered calls, in order, on the real log. */
  async replay(log: PassLog): Promise<void> {
    for (const c of this.calls) await c(log);
    this.calls = [];
  }
}

export class SessionLog implements PassLog {
  readonly counters: Counters = {
    sourceFiles: 0, sourceBytes: 0, mirrorFiles: 0, mirrorBytes: 0, newFiles: 0, newBytes: 0, deletedFiles: 0,
    deletedBytes: 0, changedFiles: 0, changedSourceBytes: 0, changedMirrorBytes: 0, incrementFiles: 0, incrementBytes: 0, errors: 0,
  };
  /** error_log lines (`<Kind>: '<path>' <message>`). */
  readonly errorLines: string[] = [];
  private pendingChanges: Promise<void> = Promise.resolve();

  constructor(
    private readonly meta: MetadataWriter,
    private readonly fileStats: FileStatisticsWriter,
    private readonly callbacks: EngineCallbacks,
    private readonly changeFile?: ChangeSetFile,
    /** Reverse diff of the previous snapshot, built on the way (§1.6): P's record where P and N differ. */
    private readonly reverseDiff?: MetadataWriter,
  ) {}

  /** A source path as it is now: new (no old), changed, or unchanged (old given, incSize undefined). */
  async record(rec: MetaRecord, old: MetaRecord | undefined, incSize: number | undefined, changed = true): Promise<void> {
    await this.meta.write(rec);
    if (this.reverseDiff && (!old || !sameFields(old, rec))) await this.reverseDiff.write(old ?? { path: rec.path, type: null });
    const c = this.counters;
    const size = rec.type === "reg" ? rec.size ?? 0 : 0;
    const oldSize = old?.type === "reg" ? old.size ?? 0 : 0;
    c.sourceFiles++;
    c.sourceBytes += size;
    if (old) {
      c.mirrorFiles++;
      c.mirrorBytes += oldSize;
    }
    if (!old) {
      c.newFiles++;
      c.newBytes += size;
      this.emit(changeEntry("new", rec));
    } else if (changed) {
      c.changedFiles++;
      c.changedSourceBytes += size;
      c.changedMirrorBytes += oldSize;
      this.emit(changeEntry("changed", rec));
    }
    await this.fileStats.write({ path: rec.path, changed: changed || !old, sourceSize: size, mirrorSize: old ? oldSize : null, incrementSize: incSize ?? null });
    if (c.sourceFiles % 1000 === 0) this.callbacks.onProgress?.({ items: c.sourceFiles, bytes: c.sourceBytes, currentPath: rec.path.toString() });
  }

  /** An unchanged path, or one kept as it was because its source failed. */
  async keep(old: MetaRecord): Promise<void> {
    return this.record(old, old, undefined, false);
  }

  /** A path gone from the source. */
  async deleted(old: MetaRecord, incSize: number): Promise<void> {
    await this.reverseDiff?.write(old);
    const c = this.counters;
    c.mirrorFiles++;
    c.deletedFiles++;
    const size = old.type === "reg" ? old.size ?? 0 : 0;
    c.mirrorBytes += size;
    c.deletedBytes += size;
    this.emit(changeEntry("deleted", old));
    await this.fileStats.write({ path: old.path, changed: true, sourceSize: null, mirrorSize: size, incrementSize: incSize });
  }

  increment(size: number): void {
    this.counters.incrementFiles++;
    this.counters.incrementBytes += size;
  }

  /** A recoverable per-path error: error_log line + onItemError; the session ends "partial". */
  error(kind: "ListError" | "UpdateError" | "SpecialFileError", path: Buffer, err: unknown): void {
    const msg = (err instanceof Error ? err.message : String(err)).replace(/\n/g, " ");
    this.counters.errors++;
    if (this.errorLines.length < 100_000) this.errorLines.push(`${kind}: '${path.toString()}' ${msg}`.replace(/\n/g, " "));
    this.callbacks.onItemError?.(path.toString(), err instanceof Error ? err : new Error(msg));
  }

  private emit(e: ChangeSetEntry): void {
    this.callbacks.onChange?.(e);
    if (this.changeFile) {
      const f = this.changeFile;
      this.pendingChanges = this.pendingChanges.then(() => f.write(e));
    }
  }

  /** Waits for queued change-set lines. */
  async flush(): Promise<void> {
    await this.pendingChanges;
  }
}
