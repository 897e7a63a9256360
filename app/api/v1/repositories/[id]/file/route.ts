// GET /api/v1/repositories/{id}/file?path=P&at=TIME: one file's bytes as they were, streamed from the agent
// (Range, ETag, attachment name). Next strips Content-Length, so the size also goes in X-Content-Length.
import { apiRoute } from "@/lib/api/handler";
import { resolveDownload } from "@/lib/data/downloads";
import { AgentRequestError, agentFetch, fetchFile } from "@/lib/agent-client";
import { exactPathQuery } from "@/lib/data/catalogue/browse";
import { agentErrorResponse, bufferedResponse, contentDisposition, contentTypeFor, parseRange } from "@/lib/agent-client/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  const q = new URL(req.url).searchParams;
  const target = await resolveDownload(caller, id, q.get("path"), q.get("at"), "file");
  const v = target.version!;
  const size = Number(v.size);
  const name = target.path.slice(target.path.lastIndexOf("/") + 1);
  const etag = `"${v.digest ?? "v"}-${Math.floor(v.validFrom.getTime() / 1000)}"`;
  const headers: Record<string, string> = {
    "content-type": contentTypeFor(name),
    "content-disposition": contentDisposition(name),
    etag,
    "accept-ranges": "bytes",
    "cache-control": "private, no-cache",
    "x-strata-increment": target.increment.time.toISOString(),
    ...(v.mtime ? { "last-modified": v.mtime.toUTCString() } : {}),
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const ifRange = req.headers.get("if-range");
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.get("range"), size);
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  const length = range ? range.end - range.start + 1 : size;
  let res: Response;
  try {
    const at = target.increment.time.getTime() / 1000;
    const exact = await exactPathQuery(id, target.path);
    // A name that is not UTF-8 is asked for by its exact bytes (`pathBase64`, base64url), which the data plane prefers to `path`.
    res = exact.pathBase64
      ? await agentFetch(
          target.agent,
          "GET",
          "/v1/file",
          { repo: target.repo.path, format: target.repo.format, path: target.path, at, archive: v.archive ?? undefined, offset: range?.start, length: range ? length : undefined, ...exact },
          { signal: req.signal },
        )
      : await fetchFile(
          target.agent,
          { repoPath: target.repo.path, format: target.repo.format, path: target.path, at, archive: v.archive, range: range ? { offset: range.start, length } : undefined },
          { signal: req.signal },
        );
  } catch (err) {
    if (err instanceof AgentRequestError) return agentErrorResponse(err, `download "${target.path}"`);
    throw err;
  }
  const len = String(length);
  Object.assign(headers, { "content-length": len, "x-content-length": len }, range ? { "content-range": `bytes ${range.start}-${range.end}/${size}` } : {});
  try {
    return await bufferedResponse(res.body as unknown as AsyncIterable<Uint8Array>, { status: range ? 206 : 200, headers }, () => void res.body?.cancel());
  } catch (err) {
    return agentErrorResponse({ status: 502, code: "agent_error", message: (err as Error).message }, `download "${target.path}"`);
  }
});
