// A directory of a mirror repository as it was at a session, as a tar stream: one walk, entries packed into
// 1 MiB chunks (few large socket writes). Plain mirror files are read synchronously straight into the chunk
// (page-cache reads of microseconds, like the mirror engine's, decision 0005); rebuilt versions stream.
import { closeSync, openSync, readSync } from "node:fs";
import { walkAt, type MirrorRepo, type WalkEntry } from "@/agent/engines/mirror/read";
import { showPath } from "@/agent/engines/mirror/format/fs-path";
import { TAR_END, encodeTarHeader, tarPadding, type TarHeader } from "./tar-header";

/** Size of the chunks the stream is made of. */
export const TAR_CHUNK = 1 << 20;

function header(e: WalkEntry, name: string, prefix: string, copyLinks: boolean): TarHeader | null {
  const r = e.record;
  const base = {
    name,
    mode: r.perms ?? (r.type === "dir" ? 0o755 : 0o644),
    mtime: new Date((r.mtime ?? 0) * 1000),
    uid: r.uid ?? 0,
    gid: r.gid ?? 0,
    uname: r.uname ?? undefined,
    gname: r.gname ?? undefined,
  };
  switch (r.type) {
    case "dir":
      return { ...base, type: "directory" };
    case "sym":
      return { ...base, type: "symlink", linkname: r.symData?.toString("utf8") ?? "" };
    case "reg":
      if (e.linkTo && !copyLinks) return { ...base, type: "link", linkname: join(prefix, e.linkTo.toString("utf8")) };
      return { ...base, type: "file", size: e.warning ? 0 : (r.size ?? 0) };
    case "fifo":
      return { ...base, type: "fifo" };
    case "dev":
      return { ...base, type: r.deviceNum?.kind === "b" ? "block-device" : "character-device", devmajor: r.deviceNum?.major, devminor: r.deviceNum?.minor };
    default:
      return null; // sockets cannot be archived
  }
}

const join = (prefix: string, rel: string) => (prefix && rel ? `${prefix}/${rel}` : prefix || rel);

/** Fills fixed-size chunks; `take()` hands over the filled part and starts a new chunk. */
class Chunker {
  buf = Buffer.allocUnsafe(TAR_CHUNK);
  len = 0;
  get room(): number {
    return TAR_CHUNK - this.len;
  }
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(TAR_CHUNK);
    this.len = 0;
    return out;
  }
}

/** Copies `src` in, yielding every chunk that fills up. */
function* put(c: Chunker, src: Buffer): Generator<Buffer> {
  for (let off = 0; off < src.length; ) {
    if (c.room === 0) yield c.take();
    const n = src.copy(c.buf, c.len, off, Math.min(src.length, off + c.room));
    c.len += n;
    off += n;
  }
}

/** `size` bytes of the plain file `file`, read into the chunks; fails if the file is shorter. */
function* readPlain(c: Chunker, file: Buffer, size: number, label: string): Generator<Buffer> {
  const fd = openSync(file, "r");
  try {
    for (let left = size; left > 0; ) {
      if (c.room === 0) yield c.take();
      const n = readSync(fd, c.buf, c.len, Math.min(left, c.room), null);
      if (n === 0) throw new Error(`Cannot stream "${label}": its mirror file is shorter than recorded (${size} bytes)`);
      c.len += n;
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

/** A rebuilt version's bytes (exactly `size` of them: more or fewer is an error). */
async function* readRebuilt(c: Chunker, e: WalkEntry, size: number, label: string): AsyncGenerator<Buffer> {
  let left = size;
  for await (const data of e.open()) {
    if (data.length > left) throw new Error(`Cannot stream "${label}": its rebuilt version is longer than recorded (${size} bytes)`);
    yield* put(c, data);
    left -= data.length;
  }
  if (left > 0) throw new Error(`Cannot stream "${label}": its rebuilt version is shorter than recorded (${size} bytes)`);
}

/**
 * The tar stream of `sub` at `at` (every entry under `prefix/`, the sub-tree root becoming `prefix` itself), in
 * chunks of TAR_CHUNK bytes. An error while walking or reading ends the iteration with it; the walk stops when
 * the consumer stops iterating or `signal` aborts.
 */
export async function* treeTar(
  repo: MirrorRepo,
  sub: Buffer,
  at: number,
  o: { prefix: string; copyHardLinks: boolean; signal: AbortSignal },
): AsyncGenerator<Buffer> {
  const { prefix, signal } = o;
  const c = new Chunker();
  for await (const e of walkAt(repo, sub, at)) {
    if (signal.aborted) return;
    const rel = e.rel.toString("utf8");
    if (!rel && !prefix) continue;
    if (rel.split("/").some((s) => s === ".." || s === ".")) continue; // a tampered repository: never emit escaping names
    const h = header(e, join(prefix, rel), prefix, o.copyHardLinks);
    if (!h) continue;
    yield* put(c, encodeTarHeader(h));
    const size = h.type === "file" ? (h.size ?? 0) : 0;
    if (size === 0) continue;
    const label = showPath(e.path);
    if (e.directFile) yield* readPlain(c, e.directFile, size, label);
    else yield* readRebuilt(c, e, size, label);
    yield* put(c, TAR_END.subarray(0, tarPadding(size)));
  }
  yield* put(c, TAR_END);
  yield c.take();
}
