// Finds the increment files of a path (§3.2 step 3): in increments/<parent>/ by base name, or in
// long_filename_data/<N>.* for records with an alternate name. Caches directory listings for tree walks.
import { readdir } from "node:fs/promises";
import type { MetaRecord } from "../format/metadata-record";
import { baseName, parentPath } from "../format/metadata-record";
import { DATA_DIR, INCREMENTS_DIR, LONG_NAME_DIR, parseIncName, type IncType } from "../format/names";
import { quoteRelPath, type Quoting } from "../format/quoting";
import { bpath } from "../format/fs-path";

/** One increment file of a path. */
export interface IncFile {
  /** Absolute path (raw bytes). */
  file: Buffer;
  time: number;
  type: IncType;
  compressed: boolean;
}

type Listing = Map<string, IncFile[]>;

/** Looks up increments by path; keeps the listings of the most recently used directories. */
export class IncrementIndex {
  private readonly cache = new Map<string, Promise<Listing>>();
  private readonly rootB: Buffer;

  constructor(
    private readonly root: string,
    private readonly quoting: Quoting,
    private readonly maxDirs = 128,
  ) {
    this.rootB = Buffer.from(root);
  }

  private list(dir: Buffer): Promise<Listing> {
    const key = dir.toString("latin1");
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const p = readdir(dir, { encoding: "buffer" }).then(
      (names) => {
        const m: Listing = new Map();
        for (const raw of names) {
          const inc = parseIncName(this.quoting.identity ? raw : this.quoting.unquote(raw));
          if (!inc || inc.type === "data") continue;
          const key = inc.base.toString("latin1");
          const list = m.get(key) ?? [];
          list.push({ file: bpath(dir, raw), time: inc.time, type: inc.type, compressed: inc.compressed });
          m.set(key, list);
        }
        for (const l of m.values()) l.sort((a, b) => a.time - b.time);
        return m;
      },
      () => new Map() as Listing,
    );
    this.cache.set(key, p);
    if (this.cache.size > this.maxDirs) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }

  /** Increments of `relPath` (raw), ascending by time; uses the record's alternate names when set. */
  async of(relPath: Buffer, rec?: MetaRecord): Promise<IncFile[]> {
    const alt = rec?.altMirrorName ?? rec?.altIncName;
    if (alt) {
      const listing = await this.list(bpath(this.rootB, DATA_DIR, LONG_NAME_DIR));
      return listing.get(alt.toString("latin1")) ?? [];
    }
    if (relPath.length === 0) {
      const listing = await this.list(bpath(this.rootB, DATA_DIR));
      return (listing.get("increments") ?? []).filter((i) => i.type === "dir");
    }
    const parent = quoteRelPath(this.quoting, parentPath(relPath));
    const listing = await this.list(bpath(this.rootB, DATA_DIR, INCREMENTS_DIR, parent));
    return listing.get(baseName(relPath).toString("latin1")) ?? [];
  }
}

/** Where the mirror copy of a path lives (quoted names; long_filename_data for an alternate mirror name). */
export function mirrorFilePath(root: string, quoting: Quoting, relPath: Buffer, rec?: MetaRecord): Buffer {
  if (rec?.altMirrorName) return bpath(root, DATA_DIR, LONG_NAME_DIR, rec.altMirrorName);
  return bpath(root, quoteRelPath(quoting, relPath));
}
