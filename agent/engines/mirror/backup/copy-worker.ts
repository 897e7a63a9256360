// Worker thread of the copy pool (copy-pool.ts): runs the local fast path's synchronous copy (read, SHA-1,
// signature when asked, sparse write, attributes) for batches of files, so the copies use the second core while the main thread
// walks the source, writes the metadata and makes directories. Same function, so the same bytes and holes.
import { parentPort } from "node:worker_threads";
import { copySync } from "./local-fast";
import { SourceReadError } from "./repo-writer";
import type { CopyJob, CopyReply } from "./copy-pool";
import type { Signature } from "../librsync/signature";

/** The signature with arrays of their own size (a view would send its whole, larger, backing buffer). */
function compact(sig: Signature): Signature {
  return { ...sig, weak: sig.weak.slice(), strong: sig.strong.slice() };
}

parentPort!.on("message", (jobs: CopyJob[]) => {
  const replies: CopyReply[] = jobs.map((j) => {
    try {
      const got = copySync(Buffer.from(j.src), Buffer.from(j.dst), j.withSig, j.hint, j.attrs);
      return { id: j.id, bytes: got.bytes, sha1: got.sha1, sig: got.sig && compact(got.sig) };
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
