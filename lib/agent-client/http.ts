// HTTP pieces of the console's download routes: byte ranges, Content-Type by extension, RFC 5987
// Content-Disposition, and turning an agent stream into a Response only once its first chunk arrived.

/** A satisfiable single range (inclusive end), "unsatisfiable", or null for the whole file. */
export type ByteRange = { start: number; end: number } | "unsatisfiable" | null;

/** Parses a `Range` header against `size`; multiple ranges and other units are ignored (whole file). */
export function parseRange(header: string | null, size: number): ByteRange {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  if (!m[1]) {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || (m[2] && Number(m[2]) < start)) return "unsatisfiable";
  return { start, end };
}

const TYPES: Record<string, string> = {
  txt: "text/plain; charset=utf-8", log: "text/plain; charset=utf-8", md: "text/markdown; charset=utf-8",
  csv: "text/csv; charset=utf-8", html: "text/html; charset=utf-8", htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8", json: "application/json", xml: "application/xml",
  yaml: "text/yaml; charset=utf-8", yml: "text/yaml; charset=utf-8", conf: "text/plain; charset=utf-8", ini: "text/plain; charset=utf-8",
  sh: "text/x-shellscript; charset=utf-8", py: "text/x-python; charset=utf-8", ts: "text/plain; charset=utf-8", sql: "application/sql",
  pdf: "application/pdf", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp",
  svg: "image/svg+xml", ico: "image/x-icon", mp3: "audio/mpeg", mp4: "video/mp4", webm: "video/webm",
  zip: "application/zip", gz: "application/gzip", tgz: "application/gzip", bz2: "application/x-bzip2", xz: "application/x-xz",
  zst: "application/zstd", tar: "application/x-tar", "7z": "application/x-7z-compressed",
  doc: "application/msword", docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  odt: "application/vnd.oasis.opendocument.text", ods: "application/vnd.oasis.opendocument.spreadsheet",
};

/** Content-Type for a file name by its extension (application/octet-stream when unknown). */
export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot > 0 && TYPES[name.slice(dot + 1).toLowerCase()]) || "application/octet-stream";
}

/** Whether a file is already compressed (stored as is in a zip rather than deflated again). */
export function isCompressed(name: string): boolean {
  return /\.(zip|gz|tgz|bz2|xz|zst|7z|rar|jpe?g|png|gif|webp|mp3|mp4|webm|mkv|avi|mov|pdf|docx|xlsx|odt|ods)$/i.test(name);
}

/** `attachment` with an ASCII fallback name and the exact name as RFC 5987 `filename*`. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_") || "download";
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * A Response streaming `src` that is returned only after the first chunk was read, so a failure before
 * any byte throws here (and becomes a real HTTP error). Pull-based with backpressure; `onCancel` runs
 * when the client goes away.
 */
export async function bufferedResponse(
  src: AsyncIterable<Uint8Array>,
  init: { status?: number; headers: Record<string, string> },
  onCancel?: () => void,
): Promise<Response> {
  const it = src[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array> | null = await it.next();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const n = first ?? (await it.next());
        first = null;
        if (n.done) c.close();
        else c.enqueue(n.value instanceof Uint8Array && !Buffer.isBuffer(n.value) ? n.value : new Uint8Array(n.value.buffer, n.value.byteOffset, n.value.byteLength));
      },
      async cancel() {
        onCancel?.();
        await it.return?.();
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(body, { status: init.status ?? 200, headers: init.headers });
}

/** The JSON error Response for a failed agent request (503 unreachable, the agent's 4xx as is, else 502). */
export function agentErrorResponse(err: { status: number; code: string; message: string }, what: string): Response {
  const status = err.status === 0 ? 503 : err.status === 404 || err.status === 400 || err.status === 416 ? err.status : 502;
  const code = status === 503 ? "unavailable" : status === 502 ? "agent_error" : err.code;
  return Response.json({ error: { code, message: `Cannot ${what}: ${err.message}` } }, { status });
}
