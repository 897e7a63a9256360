// Data-plane routes: GET /v1/versions (NDJSON), /v1/file (bytes), /v1/tree (tar). Each parses its query
// with the shared contract, confines paths, and buffers the first chunk so early failures get a status.
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { z } from "zod";
import { createReadStream } from "node:fs";
import { lstat } from "node:fs/promises";
import { openRepository, readVersions, restoreTimeFor, statAt, type MirrorRepo, type WalkEntry } from "@/agent/engines/mirror/read";
import { mirrorFilePath } from "@/agent/engines/mirror/read/increments";
import { isUtf8Safe, showPath } from "@/agent/engines/mirror/format/fs-path";
import { archiveFile, archiveTree, archiveVersionLines } from "./archive-routes";
import { fileQuery, treeQuery, versionsQuery } from "@/lib/schemas/data-plane";
import { resolveRepository } from "./confine";
import { HttpError } from "./http-error";
import { treeTar } from "./tree-tar";

export interface RouteContext {
  roots: string[];
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  signal: AbortSignal;
}

function parse<S extends z.ZodTypeAny>(schema: S, url: URL): z.infer<S> {
  const r = schema.safeParse(Object.fromEntries(url.searchParams));
  if (r.success) return r.data;
  const msg = r.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
  throw new HttpError(400, "invalid", `Invalid request: ${msg}`);
}

async function openMirror(roots: string[], repoArg: string, at?: number): Promise<MirrorRepo> {
  const root = await resolveRepository(roots, repoArg);
  const repo = await openRepository(root);
  if (at !== undefined && at < repo.sessions[0]) {
    throw new HttpError(404, "not_found", `Repository "${repoArg}" has no session at or before ${new Date(at * 1000).toISOString()}`);
  }
  return repo;
}

/** Why raw path bytes are refused, or null: "" is the root; else no NUL, not absolute, no empty, "." or ".." segment. */
export function rawRepoPathProblem(b: Buffer): string | null {
  if (b.length === 0) return null;
  if (b.includes(0)) return "it contains a NUL byte";
  if (b[0] === 0x2f) return "it is absolute (paths are relative to the repository root)";
  let start = 0;
  for (;;) {
    const end = b.indexOf(0x2f, start);
    const seg = b.subarray(start, end < 0 ? b.length : end).toString("latin1");
    if (seg === "") return "it contains an empty segment";
    if (seg === "." || seg === "..") return `it contains "${seg}"`;
    if (end < 0) return null;
    start = end + 1;
  }
}

/** A path inside the repository as exact bytes and as shown in messages. */
interface ExactPath {
  bytes: Buffer;
  shown: string;
}

/** The requested path: the bytes of `pathBase64` (base64url) when sent, checked here; else `path` (checked by the schema). */
function exactPath(q: { path: string; pathBase64?: string }): ExactPath {
  if (q.pathBase64 === undefined) return { bytes: Buffer.from(q.path), shown: q.path };
  const bytes = Buffer.from(q.pathBase64, "base64url");
  if (bytes.toString("base64url") !== q.pathBase64) throw new HttpError(400, "invalid", "Invalid request: pathBase64 is not canonical base64url");
  const shown = showPath(bytes);
  const problem = rawRepoPathProblem(bytes);
  if (problem) throw new HttpError(400, "invalid", `Path "${shown}" is refused: ${problem}`);
  return { bytes, shown };
}

/** The path as a string for archive repositories, whose reader takes names as strings: raw names are refused. */
function archivePathOf(p: ExactPath): string {
  if (!isUtf8Safe(p.bytes)) throw new HttpError(400, "unsupported", `Path "${p.shown}" is not valid UTF-8: archive repositories serve such names only by their UTF-8 path`);
  return p.bytes.toString("utf8");
}

/** Sends `src` with `headers` once its first chunk is read (an error before it throws, so it gets a status). */
async function sendStream(ctx: RouteContext, headers: Record<string, string>, src: AsyncIterable<Buffer | string>): Promise<void> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  ctx.res.writeHead(200, headers);
  async function* rest() {
    if (!first.done) yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const stream = Readable.from(rest());
  stream.once("close", () => void it.return?.()?.catch(() => undefined));
  try {
    await pipeline(stream, ctx.res);
  } catch (err) {
    if (!ctx.res.destroyed) ctx.res.destroy(err as Error);
  }
}

/** Takes `length` bytes from `offset` on. */
async function* slice(src: AsyncIterable<Buffer>, offset: number, length: number): AsyncGenerator<Buffer> {
  let pos = 0;
  const end = offset + length;
  for await (const c of src) {
    const next = pos + c.length;
    if (next > offset) {
      const s = Math.max(0, offset - pos);
      const e = Math.min(c.length, end - pos);
      if (e > s) yield c.subarray(s, e);
    }
    pos = next;
    if (pos >= end) return;
  }
}

/**
 * The mirror file holding a version's bytes as they are, when `at` resolves to the current session (ranges
 * then read from the offset instead of streaming everything before it); null otherwise.
 */
async function currentMirrorFile(repo: MirrorRepo, e: WalkEntry, at: number): Promise<Buffer | null> {
  if (restoreTimeFor(repo, at) !== repo.mirrorTime) return null;
  const file = mirrorFilePath(repo.root, repo.state.quoting, e.path, e.record);
  const st = await lstat(file).catch(() => null);
  return st?.isFile() && st.size === e.record.size ? file : null;
}

/** GET /v1/versions: every session's change set, then `{"kind":"end"}` (an error line if it fails midway). */
export async function versionsRoute(ctx: RouteContext): Promise<void> {
  const q = parse(versionsQuery, ctx.url);
  if (q.format === "archive") return sendStream(ctx, { "content-type": "application/x-ndjson" }, archiveVersionLines(await resolveRepository(ctx.roots, q.repo)));
  const repo = await openMirror(ctx.roots, q.repo);
  async function* lines() {
    try {
      for await (const v of readVersions(repo)) yield JSON.stringify(v) + "\n";
      yield JSON.stringify({ v: 1, kind: "end" }) + "\n";
    } catch (err) {
      yield JSON.stringify({ error: { code: "read", message: (err as Error).message } }) + "\n";
    }
  }
  await sendStream(ctx, { "content-type": "application/x-ndjson" }, lines());
}

/** GET /v1/file: one regular file's bytes at a time (mirror: rebuilt; archive: the member via its index). */
export async function fileRoute(ctx: RouteContext): Promise<void> {
  const q = parse(fileQuery, ctx.url);
  const p = exactPath(q);
  const range = q.offset !== undefined || q.length !== undefined ? { offset: q.offset ?? 0, length: q.length ?? Number.MAX_SAFE_INTEGER } : null;
  let bytes: AsyncIterable<Buffer>;
  const headers: Record<string, string> = { "content-type": "application/octet-stream" };
  if (q.format === "mirror") {
    const repo = await openMirror(ctx.roots, q.repo, q.at);
    const e = await statAt(repo, p.bytes, q.at);
    if (!e) throw new HttpError(404, "not_found", `"${p.shown}" does not exist at that time`);
    if (e.record.type === "dir") throw new HttpError(400, "not_a_file", `"${p.shown}" is a directory`);
    if (e.record.type === "sym") throw new HttpError(400, "not_a_file", `"${p.shown}" is a symbolic link to "${e.record.symData ? showPath(e.record.symData) : ""}"`);
    if (e.record.type !== "reg") throw new HttpError(400, "not_a_file", `"${p.shown}" is not a regular file`);
    headers["x-strata-size"] = String(e.warning ? 0 : (e.record.size ?? 0));
    const direct = range && !e.warning ? await currentMirrorFile(repo, e, q.at) : null;
    if (direct && range) {
      if (range.length === 0 || range.offset >= (e.record.size ?? 0)) bytes = (async function* () {})();
      else bytes = createReadStream(direct, { start: range.offset, end: Math.min(range.offset + range.length, e.record.size ?? 0) - 1 });
      await sendStream(ctx, headers, bytes);
      return;
    }
    bytes = e.open();
  } else {
    const found = await archiveFile(await resolveRepository(ctx.roots, q.repo), { path: archivePathOf(p), at: q.at, archive: q.archive }, ctx.signal);
    if (found.size !== undefined) headers["x-strata-size"] = String(found.size);
    bytes = found.bytes;
  }
  await sendStream(ctx, headers, range ? slice(bytes, range.offset, range.length) : bytes);
}

/** GET /v1/tree: a directory as it was, as a tar stream. */
export async function treeRoute(ctx: RouteContext): Promise<void> {
  const q = parse(treeQuery, ctx.url);
  const p = exactPath(q);
  if (q.format === "archive") {
    const root = await resolveRepository(ctx.roots, q.repo);
    const inner = archivePathOf(p);
    const prefix = q.prefix ?? path.basename(inner);
    return sendStream(ctx, { "content-type": "application/x-tar" }, await archiveTree(root, { path: inner, at: q.at, prefix }, ctx.signal));
  }
  const repo = await openMirror(ctx.roots, q.repo, q.at);
  const sub = p.bytes;
  const e = await statAt(repo, sub, q.at);
  if (!e) throw new HttpError(404, "not_found", `"${p.shown || "/"}" does not exist at that time`);
  if (e.record.type !== "dir") throw new HttpError(400, "not_a_directory", `"${p.shown}" is not a directory`);
  const prefix = q.prefix ?? path.basename(q.path);
  await sendStream(ctx, { "content-type": "application/x-tar" }, treeTar(repo, sub, q.at, { prefix, copyHardLinks: q.hardLinks === "copy", signal: ctx.signal }));
}
