// Reads at most `cap` bytes of a URL in the browser (Range request; stops reading if the server ignores it).

export interface Head {
  bytes: Uint8Array;
  /** The whole file fitted under the cap. */
  complete: boolean;
}

export async function fetchHead(url: string, cap: number, signal?: AbortSignal): Promise<Head> {
  const res = await fetch(url, { headers: { Range: `bytes=0-${cap - 1}` }, signal, credentials: "same-origin" });
  if (res.status === 416) return { bytes: new Uint8Array(0), complete: true };
  if (!res.ok) {
    const detail = await res.json().then((j: { error?: { message?: string }; message?: string }) => j.error?.message ?? j.message, () => undefined);
    throw new Error(`Cannot read this version: ${detail ?? `HTTP ${res.status}`}`);
  }
  const total = totalSize(res);
  const chunks: Uint8Array[] = [];
  let got = 0;
  const reader = res.body!.getReader();
  while (got < cap) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
  }
  await reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(Math.min(got, cap));
  let off = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.length, bytes.length - off));
    bytes.set(part, off);
    off += part.length;
  }
  return { bytes, complete: total !== null ? total <= cap : got <= cap && res.status === 200 };
}

function totalSize(res: Response): number | null {
  const range = res.headers.get("content-range");
  const m = range && /\/(\d+)$/.exec(range);
  if (m) return Number(m[1]);
  const len = res.headers.get("content-length");
  return res.status === 200 && len ? Number(len) : null;
}
