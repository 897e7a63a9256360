// Worker thread of the copy pool (copy-pool.ts): runs the local fast path's synchronous copy (read, SHA-1,
// signature when asked, sparse write, attributes) for batches of files, and makes a session's small reverse
// increments (delta or snapshot, compressed, not synced), so that work uses the second core while
// the main thread walks the source and writes the metadata. Same functions, so the same bytes and holes.
import { parentPort } from "node:worker_threads";
import { copySync } from "./local-fast";
import { createIncClosed } from "./increments";
import { SourceReadError } from "./repo-writer";
import type { CopyJob, CopyOutcome, CopyReply } from "./copy-pool";
import type { Signature } from "../librsync/signature";

/** The signature with arrays of their own size (a view would send its whole, larger, backing buffer). */
function compact(sig: Signature): Signature {
  return { ...sig, weak: sig.weak.slice(), strong: sig.strong.slice() };
}

function run(j: CopyJob): CopyOutcome {
  const dst = Buffer.from(j.dst, "latin1");
  if (j.kind === "inc") return createIncClosed(Buffer.from(j.src, "latin1"), dst, j.attrs, j.body);
  const got = copySync(Buffer.from(j.src, "latin1"), dst, j.withSig, j.hint, j.attrs);
  return { bytes: got.bytes, sha1: got.sha1, sig: got.sig && compact(got.sig) };
}

parentPort!.on("message", (jobs: CopyJob[]) => {
  const replies: CopyReply[] = jobs.map((j) => {
    try {
      return { id: j.id, ...run(j) };
    } catch (err) {
      const source = err instanceof SourceReadError;
      const e = (source ? err.original : err) as NodeJS.ErrnoException;
      return {
        id: j.id,
        error: { source, message: e?.message ?? String(e), code: e?.code, errno: e?.errno, syscall: e?.syscall, path: e?.path },
      };
    }
  });
  parentPort!.postMessage(replies);
});
