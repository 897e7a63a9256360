// Hex dump of a file's head for previews of binary versions.

export interface HexLine {
  offset: string;
  hex: string;
  ascii: string;
}

/** Lines of 16 bytes like `hexdump -C`: offset, hex pairs (grouped by 8) and printable ASCII. */
export function hexDump(bytes: Uint8Array, limit = 512): HexLine[] {
  const lines: HexLine[] = [];
  const end = Math.min(bytes.length, limit);
  for (let start = 0; start < end; start += 16) {
    const row = bytes.subarray(start, Math.min(start + 16, end));
    const pairs = Array.from(row, (b) => b.toString(16).padStart(2, "0"));
    const hex = [pairs.slice(0, 8).join(" "), pairs.slice(8).join(" ")].filter(Boolean).join("  ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push({ offset: start.toString(16).padStart(8, "0"), hex, ascii });
  }
  return lines;
}
