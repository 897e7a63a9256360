// What the pass does to one path that is new, changed or deleted: stage the new entry in a temp file
// (reading the source once), write the reverse increment, then install the entry with one rename.
import type { MetaRecord } from "../format/metadata-record";
import type { Signature } from "../librsync/signature";
import type { WalkItem } from "../selection/walk";
import { noteLinkedSha1 } from "./change-set";
import { copyFromSource, signatureOfFile } from "./copy-in";
import { writeDiffInc, writeDirInc, writeMissing, writeSnapshotInc } from "./increments";
import { recordOf } from "./records";
import { linkAt, mkspecialAt, removeAt, renameAt, setAttrs, SourceReadError, symlinkAt, tempIn } from "./repo-writer";
import type { Frame, TreePass } from "./tree-pass";
import type { PassLog } from "./session-log";
import { promises as fsp, readFileSync } from "node:fs";

/** A source entry on its way into the mirror. */
export interface Prepared {
  item: WalkItem;
  rec: MetaRecord;
  /** Staged entry (temp name in the mirror directory), once made. */
  tmp?: Buffer;
  /** Signature of the new bytes, when a reverse delta will be computed against it. */
  sig?: Signature;
  /** The staged file was created with its final permissions (no chmod needed). */
  modeSet?: boolean;
  /** The staged file already has all its final attributes (owner, mode, mtime). */
  attrsSet?: boolean;
}

/** Builds the new record of a source entry (reads a symlink's target); undefined after a logged source error. */
export async function prepareEntry(pass: TreePass, item: WalkItem, log: PassLog): Promise<Prepared | undefined> {
  try {
    const target = item.entry.type === "symlink" ? await pass.ctx.source.readlink(item.path) : undefined;
    return { item, rec: recordOf(item.path, item.entry, target) };
  } catch (err) {
    log.error("UpdateError", item.path, err);
    return undefined;
  }
}

/** A path absent at P: `.missing` increment, then the new entry. */
export async function applyNew(pass: TreePass, p: Prepared, log: PassLog, anc: Frame[]): Promise<void> {
  const { rec } = p;
  const mirror = pass.mirrorOf(rec.path);
  if (rec.type === "dir") {
    if (rec.path.length > 0) {
      await pass.ensureIncs(anc);
      if (pass.ctx.incremental) await writeMissing(pass.ctx.inc, rec.path, rec).then(() => log.increment(0));
      await pass.makeDir(mirror);
    }
    pass.open({ path: rec.path, mirror, rec, incDone: true, state: "live" });
    return log.record(rec, undefined, undefined);
  }
  if (!(await stage(pass, p, mirror, false, log))) return;
  await pass.ensureIncs(anc);
  if (pass.ctx.incremental) await writeMissing(pass.ctx.inc, rec.path, rec).then(() => log.increment(0));
  await install(pass, p, mirror);
  await log.record(rec, undefined, undefined);
}

/** A path whose attributes (or type) changed since P. */
export async function applyChange(pass: TreePass, p: Prepared, old: MetaRecord, log: PassLog, anc: Frame[]): Promise<void> {
  const { rec } = p;
  const inc = pass.ctx.inc;
  const mirror = pass.mirrorOf(rec.path);
  if (old.type === "dir") {
    if (rec.type !== "dir" && !(await stage(pass, p, mirror, false, log))) {
      pass.skipSubtree(rec.path);
      return log.keep(old);
    }
    await pass.ensureIncs(anc);
    await writeDirInc(inc, rec.path, old);
    log.increment(0);
    if (rec.type === "dir") pass.open({ path: rec.path, mirror, old, rec, incDone: true, state: "live" });
    else {
      await setAttrs(p.tmp!, attrsOf(rec), rec.type === "sym");
      pass.open({ path: rec.path, mirror, old, rec, incDone: true, state: "replaced", replacement: p });
    }
    return log.record(rec, old, 0);
  }
  if (rec.type === "dir") {
    await pass.ensureIncs(anc);
    const size = await writeSnapshotInc(inc, rec.path, old, mirror);
    log.increment(size);
    await removeAt(mirror);
    await pass.makeDir(mirror);
    pass.open({ path: rec.path, mirror, old, rec, incDone: true, state: "live" });
    return log.record(rec, old, size);
  }
  const delta = old.type === "reg" && rec.type === "reg";
  if (!(await stage(pass, p, mirror, delta, log))) return log.keep(old);
  let size: number;
  try {
    await pass.ensureIncs(anc);
    size = delta ? await writeDiffInc(inc, rec.path, old, mirror, p.sig!) : await writeSnapshotInc(inc, rec.path, old, mirror);
  } catch (err) {
    await removeAt(p.tmp!);
    if (!(err instanceof SourceReadError)) throw err;
    log.error("UpdateError", rec.path, err.original);
    return log.keep(old);
  }
  log.increment(size);
  await install(pass, p, mirror);
  await log.record(rec, old, size);
}

/** A path gone from the source: its increment (`.dir`, or a snapshot of the old entry), then removal. */
export async function applyRemove(pass: TreePass, old: MetaRecord, log: PassLog, anc: Frame[]): Promise<void> {
  const mirror = pass.mirrorOf(old.path);
  await pass.ensureIncs(anc);
  if (old.type === "dir") {
    await writeDirInc(pass.ctx.inc, old.path, old);
    log.increment(0);
    pass.open({ path: old.path, mirror, old, incDone: true, state: "deleted" });
    return log.deleted(old, 0);
  }
  let size: number;
  try {
    size = await writeSnapshotInc(pass.ctx.inc, old.path, old, mirror);
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
    log.error("UpdateError", old.path, err.original);
    size = 0;
  }
  log.increment(size);
  await removeAt(mirror);
  await log.deleted(old, size);
}

/** Stages the new entry next to its mirror path; false (logged) when the source could not be read. */
async function stage(pass: TreePass, p: Prepared, mirror: Buffer, withSig: boolean, log: PassLog): Promise<boolean> {
  const { rec, item } = p;
  // A first session writes straight to the mirror path: an interrupted one is started over anyway.
  const direct = !pass.ctx.incremental && !pass.ctx.dirtyMirror;
  const tmp = direct ? mirror : tempIn(mirror.subarray(0, mirror.lastIndexOf(0x2f)));
  try {
    if (rec.type === "reg") {
      const key = `${rec.deviceLoc}:${rec.inode}`;
      const group = (rec.numHardLinks ?? 1) > 1 ? pass.groups.get(key) : undefined;
      if (group) {
        await linkAt(group.mirror, tmp);
        p.tmp = tmp;
        rec.sha1 = undefined;
        noteLinkedSha1(rec, group.sha1);
        if (withSig) p.sig = (await signatureOfFile(group.mirror, rec.size ?? 0)).sig;
        return true;
      }
      p.tmp = tmp;
      const fast = pass.ctx.fast;
      // Plain files of any size, signed or not, go to the copy worker (hard links stay here: the group is noted
      // at once).
      const off = (rec.numHardLinks ?? 1) <= 1 ? fast?.copyOff : undefined;
      if (off || fast?.takes(item.path, rec.size ?? 0)) {
        const got = off ? await off(item.path, tmp, withSig, rec.size ?? 0, attrsOf(rec)) : fast!.copy(item.path, tmp, withSig, rec.size ?? 0, attrsOf(rec));
        p.attrsSet = true;
        rec.sha1 = got.sha1;
        rec.size = got.bytes;
        p.sig = got.sig;
        if ((rec.numHardLinks ?? 1) > 1) pass.groups.set(key, { mirror, sha1: got.sha1 });
        return true;
      }
      const mode = createMode(rec.perms);
      await streamSlot();
      const got = await copyFromSource(pass.ctx.source, item.path, rec.size ?? 0, tmp, withSig, mode ?? 0o600).finally(releaseStreamSlot);
      p.modeSet = mode !== undefined;
      rec.sha1 = got.sha1;
      rec.size = got.bytes;
      p.sig = got.sig;
      if ((rec.numHardLinks ?? 1) > 1) pass.groups.set(key, { mirror, sha1: got.sha1 });
    } else if (rec.type === "sym") {
      p.tmp = tmp;
      await symlinkAt(rec.symData ?? Buffer.alloc(0), tmp);
    } else if (rec.type !== "dir") {
      p.tmp = tmp;
      await mkspecialAt(tmp, rec.type as "fifo" | "sock" | "dev", pass.ctx.inc.dataDir, rec.deviceNum);
    }
    return true;
  } catch (err) {
    p.tmp = undefined;
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (!(err instanceof SourceReadError)) throw err;
    log.error("UpdateError", rec.path, err.original);
    return false;
  }
}

/** Sets the staged entry's attributes and renames it over the mirror path. */
async function install(pass: TreePass, p: Prepared, mirror: Buffer): Promise<void> {
  const a = attrsOf(p.rec);
  if (!p.attrsSet) await setAttrs(p.tmp!, p.modeSet ? { ...a, mode: undefined } : a, p.rec.type === "sym");
  if (p.tmp!.equals(mirror)) return;
  if (pass.ctx.dirtyMirror) {
    const st = await fsp.lstat(mirror).catch(() => undefined);
    if (st?.isDirectory()) await removeAt(mirror);
  }
  await renameAt(p.tmp!, mirror);
}

const UMASK = readUmask();

/** The creation mode that yields `perms` exactly under the process umask, if there is one. */
function createMode(perms: number | undefined): number | undefined {
  if (perms === undefined || perms > 0o777 || (perms & UMASK) !== 0 || (perms & 0o600) !== 0o600) return undefined;
  return perms;
}

function readUmask(): number {
  try {
    const m = /^Umask:\s*([0-7]+)/m.exec(readFileSync("/proc/self/status", "latin1"));
    return m ? parseInt(m[1], 8) : 0o777;
  } catch {
    return 0o777; // unknown: always chmod
  }
}

function attrsOf(rec: MetaRecord) {
  return { mode: rec.perms, uid: rec.uid, gid: rec.gid, mtime: rec.mtime };
}

/** Streamed copies at once (each holds two descriptors and buffers); the pass may have many paths in flight. */
const MAX_STREAMS = 8;
let streams = 0;
const streamWaiters: Array<() => void> = [];

async function streamSlot(): Promise<void> {
  while (streams >= MAX_STREAMS) await new Promise<void>((res) => streamWaiters.push(res));
  streams++;
}

function releaseStreamSlot(): void {
  streams--;
  streamWaiters.shift()?.();
}
