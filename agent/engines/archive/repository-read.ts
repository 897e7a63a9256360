// Reads an archive repository (backup-manager layout, written by backup-manager or by Strata) as a history:
// one session per archive day, the tree of every session rebuilt by replaying each series' chain (a master
// lists every member; an incremental the members it stored, and GNU dumpdirs give deletions and directory
// renames), each path located in the archive (and member) that holds its bytes.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { ChangeSetEntry, ChangeSetHeader, EntryType } from "@/lib/schemas/change-set";
import { BlockCache, currentIndex, listMembers, readIndexedData } from "./extract";
import { joinSegments, leadingSegments, nameOfBytes, segmentsAfter } from "./member-name";
import { parseDay } from "./naming";
import { parseDumpdir, readArchiveMembers, type DumpdirEntry, type TarMember } from "./tar-read";

/** One archive file of the repository, read back from its name. */
export interface RepoArchive {
  /** File name in the repository. */
  name: string;
  /** Everything before the date: one series = one target (prefix + name part). */
  series: string;
  day: string;
  master: boolean;
  /**
   * A dump or pipe output (`P-mysql-shop.DATE.sql.gz`): a single file, shown as the path `P-mysql-shop.sql.gz`
   * whose bytes are the file as stored. Undefined for tar-family and zip archives.
   */
  file?: { path: string; size: number; mtime: number; mode: number };
  /** size:mtime:inode when listed (cache key). */
  stamp?: string;
}

/** One session: every archive written on one day. */
export interface ArchiveSession {
  day: string;
  /** Epoch seconds: local midnight of the day (backup-manager names carry the date only). */
  time: number;
  archives: RepoArchive[];
}

/** A path of a session's tree and where its bytes live. */
export interface Located {
  type: EntryType;
  size?: number;
  mtime?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkTarget?: string;
  /** Archive (file name in the repository) holding this version; absent for folders above the targets. */
  archive?: string;
  /** Member name in that archive (differs from the path after a directory rename, or for hard links). */
  member?: string;
  /** The exact bytes of the path when they are not its UTF-8 (a name that is not UTF-8, shown with \xHH). */
  pathBytes?: Buffer;
  /** The exact bytes of `member` when they are not its UTF-8. */
  memberBytes?: Buffer;
  /** The exact bytes of `linkTarget` when they are not its UTF-8. */
  linkTargetBytes?: Buffer;
  /** The bytes are the whole archive file (a dump or pipe output), not a member of it. */
  whole?: boolean;
}

export type Tree = Map<string, Located>;

const NAME = /^(.+?)\.(\d{8})\.(master\.)?(tar|tar\.gz|tgz|tar\.bz2|tar\.xz|tar\.lzma|tar\.zst|zip)$/;

const DATED = /^(.+?)\.(\d{8})\.(.+)$/;
const NOT_DATA = /(\.idx\.json|\.part|\.md5|\.sha256|\.lock|\.orig)$/;

/** Parses an archive or dump file name; undefined for anything else (snapshots, md5 files, sidecars, notes). */
export function parseRepoArchive(name: string): RepoArchive | undefined {
  const m = NAME.exec(name);
  if (m) return { name, series: m[1], day: m[2], master: !!m[3] || m[4] === "zip" };
  const d = DATED.exec(name);
  if (!d || NOT_DATA.test(name)) return undefined;
  return { name, series: `${d[1]}.${d[3]}`, day: d[2], master: true, file: { path: `${d[1]}.${d[3]}`, size: 0, mtime: 0, mode: 0 } };
}

/** The sessions of a repository, oldest first (same day: masters before incrementals). */
export async function listSessions(root: string): Promise<ArchiveSession[]> {
  const byDay = new Map<string, RepoArchive[]>();
  for (const name of await readdir(root)) {
    const a = parseRepoArchive(name);
    if (!a) continue;
    const st = await stat(path.join(root, name)).catch(() => undefined);
    if (!st?.isFile()) continue;
    a.stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (a.file) a.file = { ...a.file, size: st.size, mtime: Math.floor(st.mtimeMs / 1000), mode: st.mode & 0o7777 };
    byDay.set(a.day, [...(byDay.get(a.day) ?? []), a]);
  }
  return [...byDay.keys()].sort().map((day) => ({
    day,
    time: Math.floor(parseDay(day).getTime() / 1000),
    archives: byDay.get(day)!.sort((x, y) => x.series.localeCompare(y.series) || Number(y.master) - Number(x.master)),
  }));
}

/** One member as the replay needs it. */
interface Member {
  name: string;
  type: string;
  size: number;
  mode: number;
  mtime: number;
  uid?: number;
  gid?: number;
  link?: string;
  /** The exact bytes of `name` / `link` when they are not UTF-8. */
  raw?: Buffer;
  linkRaw?: Buffer;
  dumpdir?: DumpdirEntry[];
}

const memberCache = new Map<string, { key: string; members: Member[] }>();

/** Members of an archive (index sidecar when it is current, else a full read), cached while the file is unchanged. */
async function membersOf(file: string): Promise<Member[]> {
  const st = await stat(file);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = memberCache.get(file);
  if (hit?.key === key) return hit.members;
  let members: Member[];
  if (file.endsWith(".zip")) {
    members = (await listMembers(file)).map((m) => ({
      name: m.name,
      type: m.type === "dir" ? "5" : m.type === "symlink" ? "2" : "0",
      size: m.size,
      mode: 0,
      mtime: m.mtime ?? 0,
      link: m.link,
      raw: m.raw,
    }));
  } else {
    const index = await currentIndex(file);
    if (index) {
      members = [];
      const cache = new BlockCache(2);
      for (const m of index.members) {
        const e: Member = { name: m.n, type: m.t, size: m.s, mode: m.m & 0o7777, mtime: m.mt, link: m.l };
        if (m.nb) e.raw = Buffer.from(m.nb, "base64");
        if (m.lb) e.linkRaw = Buffer.from(m.lb, "base64");
        if (m.t === "D") e.dumpdir = parseDumpdir(await readIndexedData(file, index, m, cache));
        members.push(e);
      }
    } else {
      members = [];
      for await (const m of readArchiveMembers(file)) {
        const e: Member = { name: m.name, type: m.type, size: m.size, mode: m.mode, mtime: m.mtime, uid: m.uid, gid: m.gid, link: m.linkname, dumpdir: m.dumpdir };
        if (m.nameBytes) e.raw = m.nameBytes;
        if (m.linkBytes) e.linkRaw = m.linkBytes;
        members.push(e);
      }
    }
  }
  memberCache.set(file, { key, members });
  while (memberCache.size > 256) memberCache.delete(memberCache.keys().next().value!);
  return members;
}

/**
 * One member of an archive by its path (index, zip directory, or one cached scan); undefined when absent.
 * `raw`: the exact bytes of `name` when they are not UTF-8.
 */
export async function findArchiveMember(file: string, p: string): Promise<{ name: string; raw?: Buffer; type: EntryType; size: number; link?: string } | undefined> {
  const members = await membersOf(file);
  for (let i = members.length - 1; i >= 0; i--) {
    const m = members[i];
    if (clean(m.name) !== p) continue;
    const type = typeOf(m.type);
    if (!type) return undefined;
    if (m.type === "1" && m.link) {
      const target = members.find((t) => clean(t.name) === clean(m.link!));
      return target ? { name: target.name, raw: target.raw, type: "file", size: target.size } : { name: m.link, raw: m.linkRaw, type: "file", size: 0 };
    }
    return { name: m.name, raw: m.raw, type, size: m.size, link: m.link };
  }
  return undefined;
}

const clean = (n: string) => n.replace(/^\.?\/+/, "").replace(/\/+$/, "");

/** `clean` on a name given as bytes: without a leading "./" or "/"s and trailing "/"s. */
function cleanBytes(b: Buffer): Buffer {
  let s = b[0] === 0x2e && b[1] === 0x2f ? 1 : 0;
  if (b[s] === 0x2f) while (b[s] === 0x2f) s++;
  else s = 0;
  let e = b.length;
  while (e > s && b[e - 1] === 0x2f) e--;
  return b.subarray(s, e);
}

/** The exact bytes of the tree path `p` of entry `e`. */
export const bytesOfPath = (p: string, e: Located | undefined): Buffer => e?.pathBytes ?? Buffer.from(p);

/** The exact bytes of the member holding the file at `p` (what extraction asks for). */
export const memberBytesOf = (p: string, e: Located): Buffer => e.memberBytes ?? Buffer.from(e.member ?? p);

/**
 * Keys that match the members one pass over a tar reads against the files wanted from it, by exact bytes
 * (as latin1 text: one character a byte): `ofFile` for a file of the tree, `ofMember` for a member read.
 */
export const scanKey = {
  ofFile: (p: string, e: Located): string => memberBytesOf(p, e).toString("latin1"),
  ofMember: (m: TarMember): string => (m.nameBytes ?? Buffer.from(m.name)).toString("latin1"),
};

/** `e` at a path whose exact bytes are `bytes` (kept in `pathBytes` only when they are not UTF-8). */
function atBytes(e: Located, bytes: Buffer): Located {
  const raw = nameOfBytes(bytes).raw;
  if (raw ? e.pathBytes?.equals(raw) : !e.pathBytes) return e;
  const out: Located = { ...e };
  if (raw) out.pathBytes = raw;
  else delete out.pathBytes;
  return out;
}

/** The folder `i` segments down the path of `e`, added above it (its exact bytes cut from those of `e`). */
function folderAbove(e: Located, i: number): Located {
  return e.pathBytes ? atBytes({ type: "dir" }, leadingSegments(e.pathBytes, i)) : { type: "dir" };
}

function typeOf(t: string): EntryType | undefined {
  switch (t) {
    case "0":
    case "7":
    case "1":
      return "file";
    case "5":
    case "D":
      return "dir";
    case "2":
      return "symlink";
    case "3":
      return "chardev";
    case "4":
      return "blockdev";
    case "6":
      return "fifo";
    default:
      return undefined;
  }
}

const isUnder = (p: string, dir: string) => dir === "" || p.startsWith(dir + "/");

function sameMeta(a: Located, b: Located): boolean {
  return a.type === b.type && a.size === b.size && a.mtime === b.mtime && a.mode === b.mode && a.linkTarget === b.linkTarget;
}

/**
 * An incremental's dumpdirs against the series' tree: directory renames first (`R old` + `T new`: the
 * subtree moves), then every path whose parent folder is not in this archive or no longer lists it is gone
 * (GNU tar stores every folder of the target in every incremental, so one pass over the tree suffices).
 */
function forgetUnlisted(tree: Tree, members: Member[]): void {
  const listed = new Map<string, Set<string>>();
  let root: string | undefined;
  for (const m of members) {
    if (!m.dumpdir) continue;
    const dir = clean(m.name);
    if (root === undefined || dir.length < root.length) root = dir;
    listed.set(dir, new Set(m.dumpdir.filter((e) => e.kind === "Y" || e.kind === "N" || e.kind === "D").map((e) => e.name)));
    for (let i = 0; i + 1 < m.dumpdir.length; i++) {
      if (m.dumpdir[i].kind !== "R" || m.dumpdir[i + 1].kind !== "T") continue;
      const from = clean(m.dumpdir[i].name);
      const to = clean(m.dumpdir[i + 1].name);
      const toRaw = m.dumpdir[i + 1].raw;
      const depth = from === "" ? 0 : from.split("/").length;
      const moved = [...tree].filter(([k]) => k === from || isUnder(k, from));
      for (const [k] of moved) tree.delete(k);
      for (const [k, v] of moved) {
        // The exact bytes of the new path: the new folder's (from the T record), then the moved path's below it.
        const bytes = toRaw || v.pathBytes ? joinSegments(toRaw ? cleanBytes(toRaw) : Buffer.from(to), segmentsAfter(bytesOfPath(k, v), depth)) : undefined;
        tree.set(to + k.slice(from.length), bytes ? atBytes(v, bytes) : v);
      }
    }
  }
  if (root === undefined) return;
  for (const k of [...tree.keys()]) {
    if (k === root || !isUnder(k, root)) continue;
    const i = k.lastIndexOf("/");
    if (!listed.get(k.slice(0, i))?.has(k.slice(i + 1))) tree.delete(k);
  }
}

/** Applies one archive of a series to that series' tree (a master replaces it). */
async function applyArchive(root: string, a: RepoArchive, prev: Tree): Promise<Tree> {
  if (a.file) return new Map([[a.file.path, { type: "file", size: a.file.size, mtime: a.file.mtime, mode: a.file.mode, archive: a.name, whole: true }]]);
  const tree: Tree = a.master ? new Map() : new Map(prev);
  const members = await membersOf(path.join(root, a.name));
  if (!a.master) forgetUnlisted(tree, members);
  for (const m of members) {
    const p = clean(m.name);
    const type = typeOf(m.type);
    // A tampered archive never yields names that escape (".." or "." segments).
    if (!type || p.split("/").some((seg) => seg === ".." || seg === ".")) continue;
    const e: Located = { type, mtime: m.mtime || undefined, mode: m.mode || undefined, archive: a.name, member: m.name };
    if (m.raw) {
      e.pathBytes = cleanBytes(m.raw);
      e.memberBytes = m.raw;
    }
    if (m.uid !== undefined) e.uid = m.uid;
    if (m.gid !== undefined) e.gid = m.gid;
    if (type === "file") e.size = m.size;
    if (type === "symlink") {
      e.linkTarget = m.link;
      if (m.linkRaw) e.linkTargetBytes = m.linkRaw;
    }
    if (m.type === "1" && m.link) {
      // A hard link: same bytes as its target member, stored in this archive.
      const target = tree.get(clean(m.link));
      const [member, memberBytes] = target?.member ? [target.member, target.memberBytes] : [m.link, m.linkRaw];
      e.member = member;
      if (memberBytes) e.memberBytes = memberBytes;
      else delete e.memberBytes;
      e.size = target?.size ?? 0;
    }
    const old = tree.get(p);
    // A directory stored again by an incremental keeps its location unless it changed.
    if (type === "dir" && old && !a.master && sameMeta(old, { ...e, archive: undefined })) continue;
    tree.set(p, e);
  }
  return tree;
}

/** The tree of each session, oldest first (`until`: stop after the session at or before this time). */
export async function* replaySessions(root: string, until?: number): AsyncGenerator<{ session: ArchiveSession; tree: Tree }> {
  const series = new Map<string, Tree>();
  for (const session of await listSessions(root)) {
    if (until !== undefined && session.time > until) return;
    for (const a of session.archives) series.set(a.series, await applyArchive(root, a, series.get(a.series) ?? new Map()));
    const tree: Tree = new Map([["", { type: "dir" }]]);
    for (const t of series.values()) {
      for (const [p, e] of t) {
        const parts = p.split("/");
        for (let i = 1; i < parts.length; i++) {
          const anc = parts.slice(0, i).join("/");
          if (!tree.has(anc)) tree.set(anc, folderAbove(e, i));
        }
        tree.set(p, e);
      }
    }
    yield { session, tree };
  }
}

const treeCache = new Map<string, { session: ArchiveSession; tree: Tree }>();

/**
 * The tree at `at` (the latest session at or before it), or undefined before the first session. The last
 * few trees are kept while no archive up to that session changed (a browse or a folder download asks again
 * and again for the same time). Callers must not modify the returned tree.
 */
export async function treeAt(root: string, at: number): Promise<{ session: ArchiveSession; tree: Tree } | undefined> {
  const upTo = (await listSessions(root)).filter((s) => s.time <= at);
  if (!upTo.length) return undefined;
  const key = `${root}\n${upTo.map((s) => s.archives.map((a) => `${a.name}@${a.stamp}`).join(",")).join(";")}`;
  const hit = treeCache.get(key);
  if (hit) {
    treeCache.delete(key);
    treeCache.set(key, hit);
    return hit;
  }
  let last: { session: ArchiveSession; tree: Tree } | undefined;
  for await (const s of replaySessions(root, upTo[upTo.length - 1].time)) last = s;
  if (last) {
    treeCache.set(key, last);
    while (treeCache.size > 4) treeCache.delete(treeCache.keys().next().value!);
  }
  return last;
}

/** A change-set entry for path `p` (its exact bytes in `pathBase64` when they are not UTF-8). */
function entry(change: ChangeSetEntry["change"], p: string, e: Located): ChangeSetEntry {
  const out: ChangeSetEntry = { v: 1, change, path: p, type: e.type };
  if (e.pathBytes) out.pathBase64 = e.pathBytes.toString("base64");
  if (change === "deleted") return out;
  for (const k of ["size", "mtime", "mode", "uid", "gid", "linkTarget", "archive"] as const) {
    if (e[k] !== undefined) (out as Record<string, unknown>)[k] = e[k];
  }
  return out;
}

/**
 * Every session as a change set, oldest first: header, then entries. A path is new, deleted, or changed
 * when its metadata changed or its bytes moved to another archive (so every member of a master is listed:
 * the catalogue then points at the newest archive holding each version).
 */
export async function* readArchiveVersions(root: string): AsyncGenerator<ChangeSetHeader | ChangeSetEntry> {
  let prev: Tree = new Map();
  let prevTime: number | null = null;
  for await (const { session, tree } of replaySessions(root)) {
    yield { v: 1, kind: "header", format: "archive", time: session.time, previousTime: prevTime };
    for (const [p, e] of tree) {
      const o = prev.get(p);
      if (!o) yield entry("new", p, e);
      else if (!sameMeta(o, e) || o.archive !== e.archive) yield entry("changed", p, e);
    }
    for (const [p, o] of prev) if (!tree.has(p)) yield entry("deleted", p, o);
    prev = tree;
    prevTime = session.time;
  }
}

/**
 * The change set one archive brings to its series (what a run reports): the series' tree replayed from the
 * repository up to the archive before it, against that tree with this archive applied. A full archive lists
 * every member; the folders above the target (and the root) come as new when the series had no archive yet.
 */
export async function archiveChangeSet(root: string, name: string): Promise<ChangeSetEntry[]> {
  const me = parseRepoArchive(name);
  if (!me) throw new Error(`"${name}" is not an archive name`);
  const earlier = (await listSessions(root))
    .flatMap((s) => s.archives)
    .filter((a) => a.series === me.series && (a.day < me.day || (a.day === me.day && a.master && !me.master)));
  let prev: Tree = new Map();
  for (const a of earlier) prev = await applyArchive(root, a, prev);
  const listed = (await listSessions(root)).flatMap((s) => s.archives).find((a) => a.name === name) ?? me;
  const next = await applyArchive(root, listed, prev);
  const out: ChangeSetEntry[] = [];
  if (prev.size === 0) {
    const ancestors = new Map<string, Located>([["", { type: "dir" }]]);
    for (const [p, e] of next) {
      const parts = p.split("/");
      for (let i = 1; i < parts.length; i++) {
        const a = parts.slice(0, i).join("/");
        if (!ancestors.has(a)) ancestors.set(a, folderAbove(e, i));
      }
    }
    for (const a of [...ancestors.keys()].sort()) if (!next.has(a)) out.push(entry("new", a, ancestors.get(a)!));
  }
  for (const [p, e] of next) {
    const o = prev.get(p);
    if (!o) out.push(entry("new", p, e));
    else if (!sameMeta(o, e) || o.archive !== e.archive) out.push(entry("changed", p, e));
  }
  for (const [p, o] of prev) if (!next.has(p)) out.push(entry("deleted", p, o));
  return out;
}
