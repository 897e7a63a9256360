// Member names are bytes (tar headers and zip entries carry whatever the file system gave). Strata keeps
// them as text the way the catalogue shows paths — the name itself when its bytes are UTF-8, else each
// invalid byte written as `\xHH` (lib/data/catalogue/paths.ts) — and carries the exact bytes beside the
// text wherever they are not its UTF-8 (index sidecar `nb`/`lb`, tar members' `nameBytes`, the archive tree's
// `pathBytes`/`memberBytes`, change set `pathBase64`). The text alone never stands for the bytes: a name can
// hold the characters `\xHH` themselves.
import { catalogueTextOf } from "@/lib/data/catalogue/paths";

/** A name read as bytes: its text, and the bytes themselves when the text is not their UTF-8. */
export interface MemberName {
  text: string;
  raw?: Buffer;
}

/** The text of a name given as bytes (and the bytes, copied, when they are not UTF-8). */
export function nameOfBytes(b: Buffer): MemberName {
  const t = catalogueTextOf(b);
  return t.rawPath ? { text: t.path, raw: t.rawPath } : { text: t.path };
}

const ESCAPED = /\\x([89a-f][0-9a-f])/g;

/**
 * The bytes a name given as text stands for: `\xHH` (HH ≥ 80, the only bytes ever escaped) turned back
 * into that byte. Used where only text is at hand (a member asked for by text, read by a tar scan).
 */
export function bytesOfText(text: string): Buffer {
  if (!text.includes("\\x")) return Buffer.from(text);
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(ESCAPED)) {
    parts.push(Buffer.from(text.slice(last, m.index)), Buffer.from([Number.parseInt(m[1], 16)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last)));
  return Buffer.concat(parts);
}

const SLASH = 0x2f;

/** Where the first `n` "/"-separated segments of a path given as bytes end (its length when it has no more). */
function segmentsEnd(b: Buffer, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) {
    at = b.indexOf(SLASH, at + 1);
    if (at < 0) return b.length;
  }
  return at;
}

/** The first `n` segments of a path given as bytes (its folder `n` levels down). */
export function leadingSegments(b: Buffer, n: number): Buffer {
  return b.subarray(0, n > 0 ? segmentsEnd(b, n) : 0);
}

/** What follows the first `n` segments of a path given as bytes (its part below that folder; empty for the folder itself). */
export function segmentsAfter(b: Buffer, n: number): Buffer {
  if (n <= 0) return b;
  const end = segmentsEnd(b, n);
  return b.subarray(Math.min(end + 1, b.length));
}

/** `head` + "/" + `tail` as bytes (`head` alone when `tail` is empty, `tail` alone when `head` is). */
export function joinSegments(head: Buffer, tail: Buffer): Buffer {
  if (!tail.length) return head;
  if (!head.length) return tail;
  return Buffer.concat([head, Buffer.from([SLASH]), tail]);
}
