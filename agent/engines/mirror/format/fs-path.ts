// File-system paths as Buffers: names in a repository may be any bytes, and Node's fs only keeps
// them intact when given Buffer paths (a string path is always encoded as UTF-8).
import { open } from "node:fs/promises";

/** Joins a root directory with raw relative parts into a Buffer path. */
export function bpath(root: string | Buffer, ...parts: Array<Buffer | string>): Buffer {
  const out: Buffer[] = [typeof root === "string" ? Buffer.from(root) : root];
  for (const p of parts) {
    const b = typeof p === "string" ? Buffer.from(p) : p;
    if (b.length === 0) continue;
    out.push(Buffer.from("/"), b);
  }
  return Buffer.concat(out);
}

/** True when the bytes survive a UTF-8 round trip (so a string path names the same file). */
export function isUtf8Safe(b: Buffer): boolean {
  return Buffer.from(b.toString("utf8")).equals(b);
}

/** Human-readable rendering of a raw path for messages (invalid bytes shown as \xNN). */
export function showPath(b: Buffer): string {
  if (isUtf8Safe(b)) return b.toString("utf8");
  let s = "";
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  return s;
}

/**
 * A string path for APIs that only take strings: the path itself when UTF-8-safe, else
 * `/proc/self/fd/<n>` of an open descriptor. Call `close` when done.
 */
export async function stringPathFor(b: Buffer): Promise<{ path: string; close(): Promise<void> }> {
  if (isUtf8Safe(b)) return { path: b.toString("utf8"), close: async () => {} };
  const fh = await open(b, "r");
  return { path: `/proc/self/fd/${fh.fd}`, close: () => fh.close() };
}
