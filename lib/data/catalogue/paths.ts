// Repository-relative paths as the catalogue stores them: "" is the root, "a/b" a nested entry.
// Normalisation refuses anything that could escape or confuse (.., absolute, NUL, encoded separators).
import { AppError } from "@/lib/errors";

/** `parent` of the root row; no real path can equal it (paths never start with "/"). */
export const ROOT_PARENT = "/";

/** A user-supplied path made canonical: "" for the root, no leading/trailing "/"; throws 400 when unsafe. */
export function normalisePath(input: string | null | undefined): string {
  const raw = (input ?? "").replace(/\/+$/, "");
  if (raw === "" || raw === ".") return "";
  const bad = (why: string) => new AppError("invalid", `Invalid path "${raw.slice(0, 200)}": ${why}`);
  if (raw.includes("\0")) throw bad("it contains a NUL byte");
  if (raw.startsWith("/")) throw bad("absolute paths are not allowed");
  if (/%(2f|5c|00)/i.test(raw)) throw bad("encoded separators are not allowed");
  return checkSegments(raw, bad);
}

/** A path as an agent reports it (any byte but NUL and "/" in a name); throws 400 when it could escape. */
export function storedPath(input: string): string {
  const raw = input === "." ? "" : input;
  if (raw === "") return "";
  const bad = (why: string) => new AppError("invalid", `Invalid path "${raw.slice(0, 200)}": ${why}`);
  if (raw.includes("\0")) throw bad("it contains a NUL byte");
  if (raw.startsWith("/")) throw bad("absolute paths are not allowed");
  return checkSegments(raw, bad);
}

function checkSegments(raw: string, bad: (why: string) => AppError): string {
  for (const seg of raw.split("/")) {
    if (seg === "") throw bad("empty path segment");
    if (seg === "." || seg === "..") throw bad(`"${seg}" segments are not allowed`);
  }
  return raw;
}

/** The directory holding `path` ("" for top-level entries, ROOT_PARENT for the root itself). */
export function parentOf(path: string): string {
  if (path === "") return ROOT_PARENT;
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** The last segment of `path` ("" for the root). */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Length of the valid UTF-8 sequence starting at `b[i]` (0 when the byte starts none: invalid, overlong, surrogate, > U+10FFFF). */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

/**
 * How the catalogue stores a path given as raw bytes: the text itself when it is valid UTF-8 (rawPath null),
 * else the text with each invalid byte written as `\xHH` and the exact bytes kept for downloads and restores.
 */
export function catalogueTextOf(raw: Uint8Array): { path: string; rawPath: Buffer | null } {
  const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let out = "";
  let start = 0;
  let escaped = false;
  for (let i = 0; i < b.length; ) {
    const n = utf8SequenceLength(b, i);
    if (n) {
      i += n;
      continue;
    }
    out += b.subarray(start, i).toString("utf8") + `\\x${b[i].toString(16).padStart(2, "0")}`;
    escaped = true;
    start = ++i;
  }
  if (!escaped) return { path: b.toString("utf8"), rawPath: null };
  return { path: out + b.subarray(start).toString("utf8"), rawPath: Buffer.from(b) };
}
