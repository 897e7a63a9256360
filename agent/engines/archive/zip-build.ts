// Builds a zip archive of one target with `archiver` (member names: the absolute path without its
// leading "/", as backup-manager's zip does), honouring exclusions and dump-symlinks, atomically.
import { createWriteStream } from "node:fs";
import { lstat, readdir, readlink, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { ZipArchive } from "archiver";
import { writeAtomically } from "./atomic-file";
import { excludedBy } from "./blacklist";
import type { TarExcludes } from "./tar-build";

/** One zip build. */
export interface ZipBuildOptions {
  target: string;
  output: string;
  excludes: TarExcludes;
  dumpSymlinks: boolean;
  signal?: AbortSignal;
}

type Add = (abs: string, st: Stats) => void;

async function walk(abs: string, o: ZipBuildOptions, add: Add, seen: Set<string>, addLink: (abs: string) => Promise<void>) {
  if (excludedBy(abs, o.target, o.excludes)) return;
  const l = await lstat(abs);
  if (l.isSymbolicLink() && !o.dumpSymlinks) return addLink(abs);
  const st = l.isSymbolicLink() ? await stat(abs).catch(() => undefined) : l;
  if (!st) return addLink(abs);
  add(abs, st);
  if (!st.isDirectory()) return;
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) return;
  seen.add(key);
  const names = (await readdir(abs)).sort();
  for (const n of names) await walk(path.join(abs, n), o, add, seen, addLink);
}

/** Builds `o.output` (zip) atomically; resolves to the number of entries. */
export async function buildZipArchive(o: ZipBuildOptions): Promise<number> {
  return writeAtomically(o.output, async (part) => {
    const zip = new ZipArchive({ zlib: { level: 6 } });
    const out = createWriteStream(part, { mode: 0o600 });
    const done = new Promise<void>((resolve, reject) => {
      out.on("close", resolve);
      out.on("error", reject);
      zip.on("error", reject);
    });
    zip.pipe(out);
    let entries = 0;
    const name = (abs: string) => abs.replace(/^\/+/, "");
    const add: Add = (abs, st) => {
      entries++;
      if (st.isDirectory()) zip.append(Buffer.alloc(0), { name: name(abs) + "/", type: "directory", mode: st.mode, date: st.mtime });
      else if (st.isFile()) zip.file(abs, { name: name(abs), stats: st, mode: st.mode, date: st.mtime });
      else entries--;
    };
    const addLink = async (abs: string) => {
      entries++;
      zip.symlink(name(abs), await readlink(abs), 0o777);
    };
    const abort = () => zip.abort();
    o.signal?.addEventListener("abort", abort, { once: true });
    try {
      await walk(o.target, o, add, new Set(), addLink);
      await zip.finalize();
      await done;
    } finally {
      o.signal?.removeEventListener("abort", abort);
    }
    return entries;
  });
}
