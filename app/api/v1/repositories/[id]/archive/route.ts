// GET /api/v1/repositories/{id}/archive?path=P&at=TIME&format=zip|tar.gz&compression=auto|store: a folder as
// it was, built on the fly from the agent's tar stream (tar.gz: gzip of it; zip: re-packed entry by entry),
// compressed in parallel in bounded memory. No temporary copy.
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { resolveDownload } from "@/lib/data/downloads";
import { AgentRequestError, agentFetch, fetchTree } from "@/lib/agent-client";
import { exactPathQuery } from "@/lib/data/catalogue/browse";
import { agentErrorResponse, bufferedResponse, contentDisposition } from "@/lib/agent-client/http";
import { tarToZip } from "@/lib/agent-client/tar-to-zip";
import { tarToGzip } from "@/lib/agent-client/tar-gzip";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/:/g, "-");

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  const q = new URL(req.url).searchParams;
  const format = q.get("format") ?? "zip";
  if (format !== "zip" && format !== "tar.gz") throw new AppError("invalid", `Invalid format "${format}": use zip or tar.gz`);
  const compression = q.get("compression") ?? "auto";
  if (compression !== "auto" && compression !== "store") throw new AppError("invalid", `Invalid compression "${compression}": use auto or store`);
  const target = await resolveDownload(caller, id, q.get("path"), q.get("at"), "dir");
  const name = target.path ? target.path.slice(target.path.lastIndexOf("/") + 1) : target.repo.name.replace(/[/\0]/g, "_") || "repository";
  // Zip readers take "\" as a folder separator: a name holding one (e.g. the "\xHH" of a non-UTF-8 byte) would split in two.
  const folder = format === "zip" ? name.replace(/\\/g, "_") : name;
  const filename = `${folder}-${stamp(target.increment.time)}.${format}`;
  let res: Response;
  try {
    const at = target.increment.time.getTime() / 1000;
    const exact = await exactPathQuery(id, target.path);
    // A folder whose name is not UTF-8 is asked for by its exact bytes (`pathBase64`, base64url), which the data plane prefers to `path`.
    res = exact.pathBase64
      ? await agentFetch(target.agent, "GET", "/v1/tree", { repo: target.repo.path, format: target.repo.format, path: target.path, at, prefix: folder, hardLinks: format === "zip" ? "copy" : undefined, ...exact }, { signal: req.signal })
      : await fetchTree(target.agent, { repoPath: target.repo.path, format: target.repo.format, path: target.path, at, prefix: folder, copyHardLinks: format === "zip" }, { signal: req.signal });
  } catch (err) {
    if (err instanceof AgentRequestError) return agentErrorResponse(err, `download "${target.path || "/"}"`);
    throw err;
  }
  const tarStream = res.body! as unknown as AsyncIterable<Uint8Array>;
  const headers = {
    "content-type": format === "zip" ? "application/zip" : "application/gzip",
    "content-disposition": contentDisposition(filename),
    "cache-control": "private, no-store",
    "x-strata-increment": target.increment.time.toISOString(),
  };
  let body: AsyncIterable<Uint8Array>;
  let cancel: () => void;
  if (format === "zip") {
    ({ zip: body, cancel } = tarToZip(tarStream, { compression }));
  } else {
    const gz = tarToGzip(tarStream, { compression });
    body = gz;
    cancel = () => void gz.return(undefined).catch(() => undefined);
  }
  req.signal?.addEventListener("abort", cancel, { once: true });
  try {
    return await bufferedResponse(body, { headers }, cancel);
  } catch (err) {
    cancel();
    return agentErrorResponse({ status: 502, code: "agent_error", message: (err as Error).message }, `download "${target.path || "/"}"`);
  }
});
