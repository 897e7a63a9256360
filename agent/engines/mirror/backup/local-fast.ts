// Fast path for a source that is a plain local directory: the same syscalls the local Source makes, but
// synchronous (no thread-pool round trip and no stream per file), which is most of the time a session takes
// on a warm tree. Used only for a genuine local Source (not a wrapper such as the fault injector), so the
// bytes read, the entries listed and the errors met are exactly the Source's own. Zero blocks become holes. Decision record:
// docs/decisions/0005-compiled-agent.md (items 2 and 3).
import { createHash } from "node:crypto";
import {
  closeSync, fchmodSync, fchownSync, futimesSync, lstatSync, openSync, readdirSync, readSync, realpathSync, unlinkSync,
  type BigIntStats,
} from "node:fs";
import { openLocalSource } from "@/agent/sources/local";
import { childPath, type Source, type SourceEntry } from "@/agent/sources/types";
import { SignatureBuilder } from "../librsync/signature";
import { SparseWriter } from "../sparse";
import type { CopyResult } from "./copy-in";
import { copyInWorker, copyPoolUsable } from "./copy-pool";
import { isRoot, SourceReadError, type Attrs } from "./repo-writer";
import { countWrite } from "./write-hook";

/** The local Source's own entry builder (private there; called so entries are identical by construction). */
interface LocalSourceInternals extends Source {
  toEntry(name: Buffer, st: BigIntStats): SourceEntry;
}

/** Synchronous access to a local source's files. */
export interface FastLocal {
  /** The Source with `list` and `stat` done synchronously (same entries, same order, same errors). */
  source: Source;
  /** Copies a source file into a new repository file `dst`, hashing (and signing) it on the way. */
  copy(rel: Buffer, dst: Buffer, withSig: boolean, sizeHint: number, attrs: Attrs): CopyResult;
  /** The same copy, done by the copy worker thread when there is one (copy-pool.ts). */
  copyOff?(rel: Buffer, dst: Buffer, withSig: boolean, sizeHint: number, attrs: Attrs): Promise<CopyResult>;
  /**
   * Whether `copy` should take this file: small ones (a few syscalls), and sparse ones (only `copy` writes
   * holes). Big dense files stream asynchronously instead, several at once, so their disk reads overlap.
   */
  takes(rel: Buffer, size: number): boolean;
}

/** Files up to this size are copied synchronously. */
const SYNC_COPY_LIMIT = 1 << 20;

let localProto: object | undefined;

/** A FastLocal for `source` when it is a local directory Source; undefined otherwise. */
export async function fastLocalOf(source: Source): Promise<FastLocal | undefined> {
  if (process.env.STRATA_NO_FAST_LOCAL) return undefined;
  localProto ??= Object.getPrototypeOf(await openLocalSource("/")) as object;
  if (Object.getPrototypeOf(source) !== localProto) return undefined;
  const local = source as LocalSourceInternals;
  if (typeof local.toEntry !== "function") return undefined;
  const real = realpathSync(local.root, { encoding: "buffer" });
  const abs = (p: Buffer) => (p.length === 0 ? real : Buffer.concat([real, SLASH, p]));
  const wrapped: Source = {
    root: source.root,
    stat: async (p) => {
      const name = p.length ? p.subarray(p.lastIndexOf(0x2f) + 1) : Buffer.alloc(0);
      return local.toEntry(Buffer.from(name), lstatSync(abs(p), { bigint: true }));
    },
    list: async (dir) => listSync(local, abs, dir),
    readlink: (p) => source.readlink(p),
    openRead: (p, hint) => source.openRead(p, hint),
    close: () => source.close(),
  };
  return {
    source: wrapped,
    copy: (rel, dst, withSig, hint, attrs) => copySync(abs(rel), dst, withSig, hint, attrs),
    copyOff: copyPoolUsable() ? (rel, dst, withSig, hint, attrs) => copyInWorker(abs(rel), dst, withSig, hint, attrs, copySync) : undefined,
    takes: (rel, size) => size <= SYNC_COPY_LIMIT || isSparse(abs(rel), size),
  };
}

const SLASH = Buffer.from("/");

/** Whether a file occupies fewer bytes on disk than its length (has holes); false when it cannot be told. */
function isSparse(file: Buffer, size: number): boolean {
  try {
    return lstatSync(file).blocks * 512 < size;
  } catch {
    return false;
  }
}

function listSync(local: LocalSourceInternals, abs: (p: Buffer) => Buffer, dir: Buffer): SourceEntry[] {
  const names = readdirSync(abs(dir), { encoding: "buffer" });
  names.sort(Buffer.compare);
  const out: SourceEntry[] = [];
  for (const name of names) {
    let st: BigIntStats;
    try {
      st = lstatSync(abs(childPath(dir, name)), { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // vanished since readdir
      throw err;
    }
    out.push(local.toEntry(name, st));
  }
  return out;
}

/** One read buffer for every copy: its bytes are hashed, signed (copied in) and written before the next read. */
let scratch = Buffer.allocUnsafe(1 << 20);

/** Copies `src` to the new file `dst` (hashing, and signing when asked); also what the copy worker runs. */
export function copySync(src: Buffer, dst: Buffer, withSig: boolean, sizeHint: number, attrs: Attrs): CopyResult {
  let inFd: number;
  try {
    inFd = openSync(src, "r");
  } catch (err) {
    throw new SourceReadError(err);
  }
  let outFd: number | undefined;
  let created = false;
  try {
    countWrite();
    outFd = openSync(dst, "wx", 0o600);
    created = true;
    const out = new SparseWriter(outFd);
    const hash = createHash("sha1");
    const sig = withSig ? new SignatureBuilder({ fileLength: sizeHint }) : undefined;
    if (scratch.length < Math.min(sizeHint + 1, 1 << 20)) scratch = Buffer.allocUnsafe(Math.min(sizeHint + 1, 1 << 20));
    let bytes = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(inFd, scratch, 0, scratch.length, null);
      } catch (err) {
        throw new SourceReadError(err);
      }
      if (n === 0) break;
      const chunk = scratch.subarray(0, n);
      hash.update(chunk);
      sig?.update(chunk);
      countWrite();
      out.write(chunk);
      bytes += n;
    }
    out.finish();
    countWrite();
    if (isRoot && attrs.uid !== undefined) fchownSync(outFd, attrs.uid, attrs.gid ?? 0);
    if (attrs.mode !== undefined) fchmodSync(outFd, attrs.mode & 0o7777);
    if (attrs.mtime !== undefined) futimesSync(outFd, attrs.mtime, attrs.mtime);
    const fd = outFd;
    outFd = undefined;
    closeSync(fd);
    return { bytes, sha1: hash.digest("hex"), sig: sig?.digest() };
  } catch (err) {
    if (outFd !== undefined) closeSync(outFd);
    if (created) {
      try {
        unlinkSync(dst);
      } catch {
        /* already gone */
      }
    }
    throw err;
  } finally {
    closeSync(inFd);
  }
}
