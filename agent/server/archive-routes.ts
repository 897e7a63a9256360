// The data plane on archive repositories (backup-manager layout): versions (one session per archive day,
// replayed through each series' chain), one member as it was at a time (through the index sidecar, or the
// archive the catalogue names), and a folder at a time as a tar stream.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { extractMember } from "@/agent/engines/archive/extract";
import { treeFiles } from "@/agent/engines/archive/tree-files";
import { findArchiveMember, memberBytesOf, parseRepoArchive, readArchiveVersions, treeAt, type Located, type Tree } from "@/agent/engines/archive/repository-read";
import { resolveInside } from "./confine";
import { HttpError } from "./http-error";
import { TAR_END, encodeTarHeader, tarPadding, type TarHeader } from "./tar-header";

/** NDJSON lines of every session's change set, then `{"kind":"end"}` (an error line if reading fails midway). */
export async function* archiveVersionLines(root: string): AsyncGenerator<string> {
  try {
    for await (const v of readArchiveVersions(root)) yield JSON.stringify(v) + "\n";
    yield JSON.stringify({ v: 1, kind: "end" }) + "\n";
  } catch (err) {
    yield JSON.stringify({ error: { code: "read", message: (err as Error).message } }) + "\n";
  }
}

async function stateAt(root: string, at: number): Promise<Tree> {
  const s = await treeAt(root, at);
  if (!s) throw new HttpError(404, "not_found", `Repository "${root}" has no archive at or before ${new Date(at * 1000).toISOString()}`);
  return s.tree;
}

function refuseNonFile(p: string, e: Located): void {
  if (e.type === "dir") throw new HttpError(400, "not_a_file", `"${p}" is a directory`);
  if (e.type === "symlink") throw new HttpError(400, "not_a_file", `"${p}" is a symbolic link to "${e.linkTarget ?? ""}"`);
  if (e.type !== "file") throw new HttpError(400, "not_a_file", `"${p}" is not a regular file`);
}

/**
 * Streams a member's bytes (`member`: its exact bytes, or its text), or the whole file for a dump (errors
 * destroy the stream; "not found" becomes a 404).
 */
function memberStream(archivePath: string, member: string | Buffer | undefined, signal: AbortSignal): Readable {
  if (member === undefined) {
    const whole = createReadStream(archivePath);
    signal.addEventListener("abort", () => whole.destroy(), { once: true });
    return whole;
  }
  const out = new PassThrough();
  extractMember(archivePath, member, out).then(
    () => out.end(),
    (err) => out.destroy(/not found/i.test((err as Error).message) ? new HttpError(404, "not_found", (err as Error).message) : (err as Error)),
  );
  signal.addEventListener("abort", () => out.destroy(), { once: true });
  return out;
}

/**
 * One file of an archive repository: `archive` (as the catalogue recorded it) names the archive; the tree
 * at `at` gives the member name (a renamed folder keeps its old member names) and refuses folders and links.
 * Without `archive`, the tree at `at` says which archive holds the version.
 */
export async function archiveFile(root: string, q: { path: string; at: number; archive?: string }, signal: AbortSignal): Promise<{ size?: number; bytes: AsyncIterable<Buffer> }> {
  if (q.archive) {
    // The catalogue names the archive: read the member straight from it when it is there under this path
    // (no replay of the repository); a dump is its whole file.
    const file = await resolveInside(root, q.archive);
    const named = parseRepoArchive(path.basename(q.archive));
    if (named?.file && named.file.path === q.path) return { size: (await stat(file)).size, bytes: memberStream(file, undefined, signal) };
    const m = named && !named.file ? await findArchiveMember(file, q.path) : undefined;
    if (m) {
      refuseNonFile(q.path, { type: m.type, linkTarget: m.link });
      return { size: m.size, bytes: memberStream(file, m.raw ?? Buffer.from(m.name), signal) };
    }
  }
  let archive = q.archive;
  let member: string | Buffer | undefined = q.path;
  let size: number | undefined;
  const tree = await treeAt(root, q.at);
  const e = tree?.tree.get(q.path);
  if (e) refuseNonFile(q.path, e);
  if (!archive) {
    if (!tree) throw new HttpError(404, "not_found", `Repository "${root}" has no archive at or before ${new Date(q.at * 1000).toISOString()}`);
    if (!e) throw new HttpError(404, "not_found", `"${q.path}" does not exist at that time`);
    archive = e.archive!;
  }
  if (e && e.archive === archive) {
    member = e.whole ? undefined : memberBytesOf(q.path, e);
    size = e.size;
  }
  const file = await resolveInside(root, archive);
  return { size, bytes: memberStream(file, member, signal) };
}

const join = (prefix: string, rel: string) => (prefix && rel ? `${prefix}/${rel}` : prefix || rel);

/** A folder of an archive repository at `at` as a tar stream (folders, links, then files in archive order). */
export async function archiveTree(root: string, q: { path: string; at: number; prefix: string }, signal: AbortSignal): Promise<Readable> {
  const tree = await stateAt(root, q.at);
  const top = tree.get(q.path);
  if (!top) throw new HttpError(404, "not_found", `"${q.path || "/"}" does not exist at that time`);
  if (top.type !== "dir") throw new HttpError(400, "not_a_directory", `"${q.path}" is not a directory`);
  const rel = (p: string) => (q.path === "" ? p : p === q.path ? "" : p.slice(q.path.length + 1));
  const inside = [...tree].filter(([p]) => q.path === "" || p === q.path || p.startsWith(q.path + "/")).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Files grouped by archive and member order, so a folder's small files are read block after block.
  const files = inside.filter(([, e]) => e.type === "file").sort(([, a], [, b]) => (a.archive ?? "").localeCompare(b.archive ?? ""));
  const header = (e: Located, name: string, extra: Partial<TarHeader> & Pick<TarHeader, "type">) =>
    encodeTarHeader({ name, mode: e.mode ?? (e.type === "dir" ? 0o755 : 0o644), mtime: new Date((e.mtime ?? 0) * 1000), uid: e.uid ?? 0, gid: e.gid ?? 0, ...extra });
  async function* member(p: string, e: Located, bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const size = e.size ?? 0;
    yield header(e, join(q.prefix, rel(p)), { type: "file", size });
    let n = 0;
    for await (const chunk of bytes) {
      n += chunk.length;
      if (n > size) throw new Error(`"${p}" holds more than the ${size} bytes its archive lists`);
      yield chunk;
    }
    if (n < size) throw new Error(`"${p}" holds ${n} bytes where its archive lists ${size}`);
    yield Buffer.alloc(tarPadding(size));
  }
  async function* entries(): AsyncGenerator<Buffer> {
    for (const [p, e] of inside) {
      const name = join(q.prefix, rel(p));
      if (!name) continue;
      if (e.type === "dir") yield header(e, name, { type: "directory" });
      else if (e.type === "symlink") yield header(e, name, { type: "symlink", linkname: e.linkTarget ?? "" });
      else if (e.type === "fifo") yield header(e, name, { type: "fifo" });
    }
    const onMissing = (p: string, e: Located, file: string) => {
      throw new Error(`Member "${e.member ?? p}" not found in "${file}"`);
    };
    for await (const f of treeFiles(files, { archiveFile: (name) => resolveInside(root, name), onMissing, signal })) {
      yield* member(f.path, f.entry, f.open());
    }
    yield TAR_END;
  }
  return Readable.from(entries(), { objectMode: false });
}
