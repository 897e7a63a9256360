// Text detection and decoding of a file's first bytes for previews and diffs.

/**
 * Whether bytes look like text: no NUL byte, valid UTF-8 (a multi-byte sequence cut at the end is allowed)
 * and few control characters other than tab, newline, carriage return and form feed.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  let controls = 0;
  for (const b of bytes) {
    if (b === 0) return false;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27) controls++;
  }
  if (controls > bytes.length / 100 + 1) return false;
  return decodeText(trimPartialUtf8(bytes), true) !== null;
}

/** Bytes decoded as UTF-8; with `strict`, null when they are not valid UTF-8. */
export function decodeText(bytes: Uint8Array, strict = false): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: strict }).decode(bytes);
  } catch {
    return null;
  }
}

/** Bytes without a trailing, incomplete UTF-8 sequence (what a byte cap may have cut). */
export function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back];
    if ((b & 0xc0) === 0x80) continue;
    if ((b & 0x80) === 0) return bytes;
    const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
    return need > back ? bytes.subarray(0, n - back) : bytes;
  }
  return bytes;
}

/** Text split into lines (a trailing newline does not make an empty last line). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
