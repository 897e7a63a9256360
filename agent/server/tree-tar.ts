// A directory of a mirror repository as it was at a session, as a tar stream: one walk, one file at a time,
// each file's bytes piped into its entry so the pack's backpressure bounds memory.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar-stream";
import { walkAt, type MirrorRepo, type WalkEntry } from "@/agent/engines/mirror/read";

type Header = Partial<tar.Header> & { name: string };

function header(e: WalkEntry, name: string, prefix: string, copyLinks: boolean): Header | null {
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

/** Rejects when `signal` aborts, so a destroyed pack never leaves the walk (and its open files) hanging. */
function orAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error("Tree stream cancelled"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const join = (prefix: string, rel: string) => (prefix && rel ? `${prefix}/${rel}` : prefix || rel);

/** Writes one entry; regular files stream their bytes into the entry (waiting on the pack's backpressure). */
async function addEntry(pack: tar.Pack, h: Header, e: WalkEntry): Promise<void> {
  if (h.type !== "file" || h.size === 0) {
    await new Promise<void>((resolve, reject) => pack.entry(h, (err) => (err ? reject(err) : resolve())));
    return;
  }
  const done = new Promise<void>((resolve, reject) => {
    const sink = pack.entry(h, (err) => (err ? reject(err) : resolve()));
    pipeline(Readable.from(e.open()), sink).catch(reject);
  });
  await done;
}

/**
 * The tar stream of `sub` at `at` (every entry under `prefix/`, the sub-tree root becoming `prefix` itself).
 * Errors while walking destroy the stream with the error; `signal` stops the walk.
 */
export function treeTar(
  repo: MirrorRepo,
  sub: Buffer,
  at: number,
  o: { prefix: string; copyHardLinks: boolean; signal: AbortSignal },
): Readable {
  const { prefix, signal } = o;
  const pack = tar.pack();
  (async () => {
    for await (const e of walkAt(repo, sub, at)) {
      if (signal.aborted) return;
      const rel = e.rel.toString("utf8");
      if (!rel && !prefix) continue;
      if (rel.split("/").some((s) => s === ".." || s === ".")) continue; // a tampered repository: never emit escaping names
      const h = header(e, join(prefix, rel), prefix, o.copyHardLinks);
      if (h) await orAbort(addEntry(pack, h, e), signal);
    }
    pack.finalize();
  })().catch((err) => pack.destroy(err));
  return pack as unknown as Readable;
}
