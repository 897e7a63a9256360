// Content types and preview kinds guessed from a file's name: what the browser may show inline and how.

const TYPES: Record<string, string> = {
  txt: "text/plain", log: "text/plain", md: "text/markdown", csv: "text/csv", tsv: "text/tab-separated-values",
  html: "text/html", htm: "text/html", css: "text/css", xml: "application/xml", json: "application/json",
  js: "text/javascript", mjs: "text/javascript", cjs: "text/javascript", ts: "text/typescript", tsx: "text/typescript",
  jsx: "text/javascript", yml: "application/yaml", yaml: "application/yaml", toml: "application/toml",
  ini: "text/plain", conf: "text/plain", cfg: "text/plain", sh: "application/x-sh", bash: "application/x-sh",
  py: "text/x-python", rb: "text/x-ruby", php: "application/x-php", go: "text/x-go", rs: "text/x-rust",
  c: "text/x-c", h: "text/x-c", cpp: "text/x-c++", java: "text/x-java", sql: "application/sql",
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp",
  svg: "image/svg+xml", ico: "image/x-icon", bmp: "image/bmp", avif: "image/avif",
  pdf: "application/pdf", zip: "application/zip", gz: "application/gzip", tgz: "application/gzip",
  bz2: "application/x-bzip2", xz: "application/x-xz", zst: "application/zstd", tar: "application/x-tar",
  mp3: "audio/mpeg", mp4: "video/mp4", webm: "video/webm", wasm: "application/wasm",
};

/** Lower-cased extension of a file name ("" for none or dot-files like ".bashrc"). */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/** Content type for a file name; `application/octet-stream` when unknown. */
export function contentTypeFor(name: string): string {
  return TYPES[extensionOf(name)] ?? "application/octet-stream";
}

export type PreviewKind = "text" | "image" | "pdf" | "binary";

/**
 * How a version is previewed. Images are shown through <img> (SVG included: an <img> never runs its
 * scripts); PDFs in the browser's viewer; unknown types go to "binary" and are re-checked on their bytes.
 */
export function previewKindFor(name: string): PreviewKind {
  const type = contentTypeFor(name);
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("text/") || ["application/json", "application/xml", "application/yaml", "application/toml", "application/x-sh", "application/x-php", "application/sql"].includes(type)) return "text";
  return "binary";
}
