// The tree part of regress: per directory, the union of mirror entries, increment files and metadata(G)
// children, visited in path order in lockstep with the metadata stream.
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp, type Stats } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { joinPath, parentPath, type MetaRecord } from "../format/metadata-record";
import { createGunzip } from "node:zlib";
import { parseIncName, type IncName } from "../format/names";
import type { Quoting } from "../format/quoting";
import { applyDelta } from "../librsync/patch";
import { mkdirAt, mkspecialAt, removeAt, renameAt, setAttrs, symlinkAt, tempIn } from "../backup/repo-writer";
import { countWrite } from "../backup/write-hook";

interface Child {
  name: Buffer;
  stored?: Buffer;
  incs: Array<{ file: Buffer; inc: IncName }>;
  incDir?: Buffer;
}

export class RegressWalk {
  readonly problems: string[] = [];
  private head: MetaRecord | undefined;
  private it!: AsyncIterator<MetaRecord>;
  private longIncs = new Map<string, Array<{ file: Buffer; inc: IncName }>>();
  private scratch = 0;

  constructor(
    private readonly repo: string,
    private readonly dataDir: string,
    private readonly good: number,
    private readonly quoting: Quoting,
  ) {}

  /** Walks the whole repository against the records of metadata(G). */
  async run(records: AsyncIterable<MetaRecord>): Promise<void> {
    await this.loadLongIncs();
    this.it = records[Symbol.asyncIterator]();
    await this.advance();
    const root = this.head;
    if (root && root.path.length === 0) await this.advance();
    await this.dir(Buffer.alloc(0), Buffer.from(this.repo), Buffer.from(path.join(this.dataDir, "increments")));
    if (root) await setAttrs(Buffer.from(this.repo), attrsOf(root));
  }

  private async advance(): Promise<void> {
    const n = await this.it.next();
    this.head = n.done ? undefined : n.value;
  }

  private async dir(rel: Buffer, mirror: Buffer, incDir: Buffer): Promise<void> {
    const children = await this.children(rel, mirror, incDir);
    const names = [...children.keys()].sort();
    let i = 0;
    for (;;) {
      const metaChild = this.head && this.head.path.length > 0 && parentPath(this.head.path).equals(rel) ? this.head : undefined;
      const metaKey = metaChild ? Buffer.from(metaChild.path.subarray(rel.length ? rel.length + 1 : 0)).toString("hex") : undefined;
      const key = i < names.length && (!metaKey || names[i] <= metaKey) ? names[i] : metaKey;
      if (key === undefined) return;
      if (key === names[i]) i++;
      const rec = metaKey === key ? metaChild : undefined;
      if (rec) await this.advance();
      const child = children.get(key) ?? { name: Buffer.from(key, "hex"), incs: [] };
      await this.entry(rel, mirror, incDir, child, rec);
    }
  }

  /** Mirror entries, increments labelled ≥ G and increment sub-directories of one directory, by name. */
  private async children(rel: Buffer, mirror: Buffer, incDir: Buffer): Promise<Map<string, Child>> {
    const out = new Map<string, Child>();
    const get = (name: Buffer) => {
      const k = name.toString("hex");
      let c = out.get(k);
      if (!c) out.set(k, (c = { name, incs: [] }));
      return c;
    };
    for (const n of (await fsp.readdir(mirror, { encoding: "buffer" }).catch(() => [])) as Buffer[]) {
      if (rel.length === 0 && n.toString("latin1") === "rdiff-backup-data") continue;
      get(this.quoting.unquote(n)).stored = n;
    }
    for (const n of (await fsp.readdir(incDir, { encoding: "buffer", withFileTypes: true }).catch(() => [])) as unknown as Array<{ name: Buffer; isDirectory(): boolean }>) {
      const raw = this.quoting.unquote(n.name);
      const file = Buffer.concat([incDir, Buffer.from("/"), n.name]);
      if (n.isDirectory()) get(raw).incDir = file;
      const inc = parseIncName(raw);
      if (inc && inc.time >= this.good && !n.isDirectory()) get(inc.base).incs.push({ file, inc });
    }
    return out;
  }

  private async entry(rel: Buffer, mirrorDir: Buffer, incDir: Buffer, c: Child, rec: MetaRecord | undefined): Promise<void> {
    const childRel = joinPath(rel, c.name);
    const mirror = Buffer.concat([mirrorDir, Buffer.from("/"), c.stored ?? this.quoting.quote(c.name)]);
    const childIncDir = c.incDir ?? Buffer.concat([incDir, Buffer.from("/"), this.quoting.quote(c.name)]);
    const incs = rec?.altIncName ? [...c.incs, ...(this.longIncs.get(rec.altIncName.toString("latin1")) ?? [])] : c.incs;
    let st = await fsp.lstat(mirror).catch(() => undefined);
    if (!rec) {
      if (st) await removeAt(mirror);
      await this.purgeIncDir(childIncDir);
    } else if (rec.type === "dir") {
      if (st && !st.isDirectory()) await removeAt(mirror);
      if (!st || !st.isDirectory()) await mkdirAt(mirror, 0o700);
      await this.dir(childRel, mirror, childIncDir);
      await setAttrs(mirror, attrsOf(rec));
    } else {
      if (st?.isDirectory()) {
        await this.purgeIncDir(childIncDir);
        await removeAt(mirror);
        st = undefined;
      }
      await this.skipDescendants(childRel);
      const inc = incs.find((x) => x.inc.type !== "missing" && x.inc.type !== "dir");
      if (!(st && (await this.matches(rec, st, mirror, inc !== undefined)))) await this.rebuild(rec, st, mirror, inc);
    }
    for (const x of incs) {
      countWrite();
      await fsp.rm(x.file, { force: true });
    }
  }

  /** "Loosely equal" (type, perms, mtime, size, link target) plus the SHA1 when an increment could say otherwise. */
  private async matches(rec: MetaRecord, st: Stats, mirror: Buffer, checkData: boolean): Promise<boolean> {
    const type = st.isFile() ? "reg" : st.isSymbolicLink() ? "sym" : st.isFIFO() ? "fifo" : st.isSocket() ? "sock" : st.isDirectory() ? "dir" : "dev";
    if (type !== rec.type) return false;
    if (type === "sym") return (await fsp.readlink(mirror, { encoding: "buffer" })).equals(rec.symData ?? Buffer.alloc(0));
    if ((st.mode & 0o7777) !== rec.perms) return false;
    if (type !== "dev" && Math.floor(st.mtimeMs / 1000) !== rec.mtime) return false;
    if (type !== "reg") return true;
    if (st.size !== rec.size) return false;
    if (!checkData || !rec.sha1) return true;
    const h = createHash("sha1");
    for await (const chunk of createReadStream(mirror) as AsyncIterable<Buffer>) h.update(chunk);
    return h.digest("hex") === rec.sha1;
  }

  /** Recreates the entry as it was at G, from its increment (regular files) or from the record. */
  private async rebuild(rec: MetaRecord, st: Stats | undefined, mirror: Buffer, inc: { file: Buffer; inc: IncName } | undefined): Promise<void> {
    const tmp = tempIn(mirror.subarray(0, mirror.lastIndexOf(0x2f)));
    if (rec.type === "reg") {
      if (!inc && !st?.isFile()) return void this.problems.push(rec.path.toString());
      if (!inc) return setAttrs(mirror, attrsOf(rec));
      if (inc.inc.type === "diff") {
        if (!st?.isFile()) return void this.problems.push(rec.path.toString());
        const basis = path.join(this.dataDir, `rdiff-backup.tmp.basis-${process.pid}-${++this.scratch}`);
        await fsp.link(mirror, basis);
        try {
          await writeFrom(tmp, applyDelta(basis, gunzipped(inc.file)));
        } finally {
          await fsp.rm(basis, { force: true });
        }
      } else await writeFrom(tmp, gunzipped(inc.file));
    } else if (rec.type === "sym") await symlinkAt(rec.symData ?? Buffer.alloc(0), tmp);
    else await mkspecialAt(tmp, rec.type as "fifo" | "sock" | "dev", this.dataDir, rec.deviceNum);
    await setAttrs(tmp, attrsOf(rec), rec.type === "sym");
    await renameAt(tmp, mirror);
  }

  /** Deletes increments labelled ≥ G under an increment directory of a path that is not a directory at G. */
  private async purgeIncDir(dir: Buffer): Promise<void> {
    const entries = (await fsp.readdir(dir, { encoding: "buffer", withFileTypes: true }).catch(() => [])) as unknown as Array<{ name: Buffer; isDirectory(): boolean }>;
    for (const e of entries) {
      const file = Buffer.concat([dir, Buffer.from("/"), e.name]);
      if (e.isDirectory()) await this.purgeIncDir(file);
      else {
        const inc = parseIncName(this.quoting.unquote(e.name));
        if (inc && inc.time >= this.good) await removeAt(file);
      }
    }
  }

  private async skipDescendants(rel: Buffer): Promise<void> {
    const prefix = Buffer.concat([rel, Buffer.from("/")]);
    while (this.head && this.head.path.length > prefix.length && this.head.path.subarray(0, prefix.length).equals(prefix)) await this.advance();
  }

  private async loadLongIncs(): Promise<void> {
    const dir = path.join(this.dataDir, "long_filename_data");
    for (const n of (await fsp.readdir(dir, { encoding: "buffer" }).catch(() => [])) as Buffer[]) {
      const inc = parseIncName(n);
      if (!inc || inc.time < this.good) continue;
      const key = inc.base.toString("latin1");
      const list = this.longIncs.get(key) ?? [];
      list.push({ file: Buffer.concat([Buffer.from(dir + "/"), n]), inc });
      this.longIncs.set(key, list);
    }
  }
}

function attrsOf(rec: MetaRecord) {
  return { mode: rec.perms, uid: rec.uid, gid: rec.gid, mtime: rec.mtime };
}

/** Bytes of an increment file, gunzipped when its name ends in `.gz` (Buffer paths keep non-UTF-8 bytes). */
function gunzipped(file: Buffer): AsyncIterable<Buffer> {
  const raw = createReadStream(file);
  if (!file.toString("latin1").endsWith(".gz")) return raw;
  const gunzip = createGunzip();
  raw.on("error", (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

async function writeFrom(tmp: Buffer, chunks: AsyncIterable<Buffer>): Promise<void> {
  countWrite();
  await pipeline(Readable.from(chunks), createWriteStream(tmp as unknown as string, { flags: "wx", mode: 0o600 }));
}
