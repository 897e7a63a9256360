// Human-readable sizes and escaped display names shared by the browse pages.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Bytes as "1.5 MiB" (binary units, one decimal above KiB). */
export function formatBytes(value: number | bigint | null | undefined): string {
  if (value === null || value === undefined) return "";
  let n = Number(value);
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/**
 * A file name fit to display on one line: control characters (newlines, tabs, ESC) and the replacement
 * character of undecodable bytes are shown as visible escapes, so odd names cannot break the layout.
 */
export function displayName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f\u0080-\u009f\ufffd]/g, (c) =>
    c === "\ufffd" ? "\\uFFFD" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
