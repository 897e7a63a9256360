// Links of the browse pages and the download endpoints: every view state lives in the URL (permalinks).

export type Query = Record<string, string | number | boolean | undefined | null>;

/** A repository path as URL segments ("" → no segments). */
export function encodePath(path: string): string {
  return path === "" ? "" : path.split("/").map(encodeURIComponent).join("/");
}

/** `?a=1&b=2` from the defined, non-empty values ("" when none). */
export function queryString(q: Query): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === "" || v === false) continue;
    sp.set(k, v === true ? "1" : String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : "";
}

/** An increment time as the `at` value of permalinks (W3 date-time in UTC, whole seconds). */
export function atParam(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const base = (repoId: string) => `/repositories/${repoId}`;

export function browseHref(repoId: string, path: string, q: Query = {}): string {
  const p = encodePath(path);
  return `${base(repoId)}/browse${p ? `/${p}` : ""}${queryString(q)}`;
}

export function fileHref(repoId: string, path: string, q: Query = {}): string {
  return `${base(repoId)}/file/${encodePath(path)}${queryString(q)}`;
}

export function repoPageHref(repoId: string, page: "search" | "changes" | "stats", q: Query = {}): string {
  return `${base(repoId)}/${page}${queryString(q)}`;
}

/** Bytes of one version (served by the data plane; supports Range). */
export function fileDataUrl(repoId: string, path: string, at: string): string {
  return `/api/v1/repositories/${repoId}/file${queryString({ path, at })}`;
}

/** A directory as it was, streamed as an archive. */
export function archiveUrl(repoId: string, path: string, at: string, format: "zip" | "tar.gz"): string {
  return `/api/v1/repositories/${repoId}/archive${queryString({ path, at, format })}`;
}

/** The repository path of a catch-all route parameter (Next hands the segments over still percent-encoded). */
export function pathFromSegments(segments: string[] | undefined): string {
  return (segments ?? [])
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/");
}
