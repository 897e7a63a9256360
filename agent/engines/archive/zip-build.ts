// Builds a zip archive of one target with `archiver` (member names: the absolute path without its
// leading "/", as backup-manager's zip does), honouring exclusions and dump-symlinks, atomically.
// The tree is walked by bytes: a name that is not UTF-8 is stored as its raw bytes without the UTF-8
// flag, as Info-ZIP's zip does on Unix (archiver would re-encode it as UTF-8 text otherwise).
import { createReadStream, createWriteStream, type Stats } from "node:fs";
import { lstat, readdir, readlink, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { ZipArchive } from "archiver";
import { writeAtomically } from "./atomic-file";
import { excludedBy } from "./blacklist";
import { nameOfBytes } from "./member-name";
import type { TarExcludes } from "./tar-build";

/** One zip build. */
export interface ZipBuildOptions {
  target: string;
  output: string;
  excludes: TarExcludes;
  dumpSymlinks: boolean;
  signal?: AbortSignal;
}

type Add = (abs: Buffer, st: Stats) => void;

const SLASH = Buffer.from("/");
const join = (dir: Buffer, name: Buffer) => Buffer.concat(dir[dir.length - 1] === 0x2f ? [dir, name] : [dir, SLASH, name]);

async function walk(abs: Buffer, o: ZipBuildOptions, add: Add, seen: Set<string>, addLink: (abs: Buffer) => Promise<void>) {
  if (excludedBy(abs.toString("utf8"), o.target, o.excludes)) return;
  const l = await lstat(abs);
  if (l.isSymbolicLink() && !o.dumpSymlinks) return addLink(abs);
  const st = l.isSymbolicLink() ? await stat(abs).catch(() => undefined) : l;
  if (!st) return addLink(abs);
  add(abs, st);
  if (!st.isDirectory()) return;
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) return;
  seen.add(key);
  const names = (await readdir(abs, { encoding: "buffer" })).sort(Buffer.compare);
  for (const n of names) await walk(join(abs, n), o, add, seen, addLink);
}

/** A file's bytes, opened only when archiver comes to read them (thousands of files are queued at once). */
function lazyFile(file: Buffer): Readable {
  return Readable.from((async function* () {
    yield* createReadStream(file);
  })(), { objectMode: false });
}

/**
 * Lets entries added with `rawName: true` (name given as latin1 text, one char per byte) be written as
 * those bytes without the UTF-8 flag: zip-stream writes an unflagged name as a string through the stream,
 * so the engine's strings are encoded as latin1 (other unflagged names are ASCII: the same bytes).
 */
function allowRawNames(zip: ZipArchive): void {
  const engine = (zip as unknown as { _module?: { engine?: ZipEngine } })._module?.engine;
  if (!engine || typeof engine._normalizeEntry !== "function" || typeof engine.entry !== "function") {
    throw new Error("archiver's zip engine changed: cannot store raw member names");
  }
  engine.setDefaultEncoding("latin1");
  let raw = false;
  const entry = engine.entry.bind(engine);
  // zip-stream creates and normalises the entry synchronously inside entry().
  engine.entry = (source, data, cb) => {
    raw = data.rawName === true;
    try {
      return entry(source, data, cb);
    } finally {
      raw = false;
    }
  };
  const normalize = engine._normalizeEntry.bind(engine);
  engine._normalizeEntry = (ae) => {
    normalize(ae);
    if (raw) ae.getGeneralPurposeBit().useUTF8ForNames(false);
  };
}

interface ZipEngine {
  setDefaultEncoding(e: string): void;
  entry(source: unknown, data: { rawName?: boolean }, cb: unknown): unknown;
  _normalizeEntry(ae: { getGeneralPurposeBit(): { useUTF8ForNames(b: boolean): void } }): void;
}

/** Builds `o.output` (zip) atomically; resolves to the number of entries. */
export async function buildZipArchive(o: ZipBuildOptions): Promise<number> {
  return writeAtomically(o.output, async (part) => {
    const zip = new ZipArchive({ zlib: { level: 6 } });
    allowRawNames(zip);
    const out = createWriteStream(part, { mode: 0o600 });
    const done = new Promise<void>((resolve, reject) => {
      out.on("close", resolve);
      out.on("error", reject);
      zip.on("error", reject);
    });
    zip.pipe(out);
    let entries = 0;
    /** The entry name: UTF-8 text, or for other bytes one latin1 char per byte with `rawName` (see allowRawNames). */
    const name = (abs: Buffer, dir = false): { name: string; rawName?: true } => {
      let s = 0;
      while (abs[s] === 0x2f) s++;
      const b = Buffer.concat([abs.subarray(s), dir ? SLASH : Buffer.alloc(0)]);
      return nameOfBytes(b).raw ? { name: b.toString("latin1"), rawName: true } : { name: b.toString("utf8") };
    };
    const add: Add = (abs, st) => {
      entries++;
      if (st.isDirectory()) zip.append(Buffer.alloc(0), { ...name(abs, true), type: "directory", mode: st.mode, date: st.mtime });
      else if (st.isFile()) zip.append(lazyFile(abs), { ...name(abs), stats: st, mode: st.mode, date: st.mtime });
      else entries--;
    };
    const addLink = async (abs: Buffer) => {
      entries++;
      const n = name(abs);
      const linkname = (await readlink(abs)).toString();
      if (n.rawName) zip.append(Buffer.alloc(0), { ...n, type: "symlink", linkname, mode: 0o777 } as Parameters<typeof zip.append>[1]);
      else zip.symlink(n.name, linkname, 0o777);
    };
    const abort = () => zip.abort();
    o.signal?.addEventListener("abort", abort, { once: true });
    try {
      await walk(Buffer.from(o.target), o, add, new Set(), addLink);
      await zip.finalize();
      await done;
    } finally {
      o.signal?.removeEventListener("abort", abort);
    }
    return entries;
  });
}
