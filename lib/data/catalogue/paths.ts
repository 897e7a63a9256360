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
