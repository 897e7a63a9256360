// The bytes of the files of an archive repository's tree (a restore, a folder download): archives without an
// index (backup-manager's) are read in one sequential pass each, streaming the wanted members; the others
// member by member through their index (or the zip directory), and dumps whole.
import { createReadStream } from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { BlockCache, currentIndex, extractMember } from "./extract";
import { memberBytesOf, scanKey, type Located } from "./repository-read";
import { readArchiveMembers } from "./tar-read";

/** One file of the tree: `open()` gives its bytes, to be read (or left) before the next file is asked for. */
export interface TreeFile {
  path: string;
  entry: Located;
  open(): AsyncIterable<Buffer>;
}

export interface TreeFilesOptions {
  /** The archive file an entry's `archive` names (confined to the repository by the caller). */
  archiveFile(name: string): string | Promise<string>;
  /** A member a sequential pass did not find: report it, or throw to stop. */
  onMissing(path: string, entry: Located, archiveFile: string): void;
  signal?: AbortSignal;
}

/** The bytes of `files` (regular files of one tree), in the order their archives are best read. */
export async function* treeFiles(files: [string, Located][], o: TreeFilesOptions): AsyncGenerator<TreeFile> {
  const scanned = new Map<string, Map<string, [string, Located]>>();
  const direct: [string, Located, string][] = [];
  for (const [p, e] of files) {
    const file = await o.archiveFile(e.archive!);
    const key = scanKey.ofFile(p, e);
    const byMember = scanned.get(file);
    if (!e.whole && !file.endsWith(".zip") && !(await currentIndex(file)) && !byMember?.has(key)) {
      scanned.set(file, (byMember ?? new Map()).set(key, [p, e]));
    } else direct.push([p, e, file]);
  }
  for (const [file, wanted] of scanned) {
    for await (const m of readArchiveMembers(file, (m) => (wanted.has(scanKey.ofMember(m)) ? "stream" : false))) {
      o.signal?.throwIfAborted();
      if (!m.stream) continue;
      const key = scanKey.ofMember(m);
      const w = wanted.get(key);
      if (!w) continue;
      wanted.delete(key);
      yield { path: w[0], entry: w[1], open: () => m.stream! };
      if (wanted.size === 0) break;
    }
    for (const [p, e] of wanted.values()) o.onMissing(p, e, file);
  }
  const cache = new BlockCache(8);
  for (const [p, e, file] of direct) {
    o.signal?.throwIfAborted();
    let stream: Readable | undefined;
    try {
      yield {
        path: p,
        entry: e,
        open: () => {
          if (e.whole) return (stream = createReadStream(file));
          const pass = (stream = new PassThrough());
          extractMember(file, memberBytesOf(p, e), pass, { cache }).then(() => pass.end(), (err: Error) => pass.destroy(err));
          return pass;
        },
      };
    } finally {
      // What the consumer left unread (a restore target that refused the file, a download dropped): stop reading it.
      stream?.destroy();
    }
  }
}
