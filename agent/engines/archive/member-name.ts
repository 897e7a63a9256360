// Member names are bytes (tar headers and zip entries carry whatever the file system gave). Strata keeps
// them as text the way the catalogue shows paths — the name itself when its bytes are UTF-8, else each
// invalid byte written as `\xHH` (lib/data/catalogue/paths.ts) — and carries the exact bytes beside the
// text wherever they are not its UTF-8 (index sidecar `nb`/`lb`, change set `pathBase64`).
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

/** Segment text → exact bytes, for every non-UTF-8 name segment seen (bounded). */
const segments = new Map<string, Buffer>();

/** Remembers the segments of a name read as bytes, so its path (or one renamed under it) maps back to them. */
export function noteRawName(raw: Buffer | undefined): void {
  if (!raw) return;
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== 0x2f) continue;
    const seg = raw.subarray(start, i);
    const n = nameOfBytes(seg);
    if (n.raw && !segments.has(n.text)) {
      segments.set(n.text, n.raw);
      if (segments.size > 100_000) segments.delete(segments.keys().next().value!);
    }
    start = i + 1;
  }
}

/** The exact bytes of a path given as text when they are not its UTF-8 (segments noted earlier), else undefined. */
export function rawBytesOfPath(p: string): Buffer | undefined {
  if (!p.includes("\\x")) return undefined;
  let raw = false;
  const parts = p.split("/").map((s) => {
    const b = segments.get(s);
    if (b) raw = true;
    return b ?? Buffer.from(s);
  });
  if (!raw) return undefined;
  const out: Buffer[] = [];
  parts.forEach((b, i) => out.push(...(i ? [Buffer.from("/"), b] : [b])));
  return Buffer.concat(out);
}
