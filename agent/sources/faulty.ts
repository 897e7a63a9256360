// Fault-injecting Source wrapper for tests: fails chosen operations on chosen paths, or a read midway.
import { Transform, type Readable } from "node:stream";
import type { Source, SourceEntry } from "./types";

/** Which faults to inject; paths are relative ("a/b.txt"), compared as bytes. */
export interface Faults {
  /** Paths whose open (and listing, for directories) fails with this errno code, e.g. "EACCES". */
  deny?: Map<string, string>;
  /** Paths whose read stream errors with EIO after this many bytes. */
  failReadAfter?: Map<string, number>;
}

/** Wraps a Source so that the given paths fail like a real disk would. */
export function faultySource(inner: Source, faults: Faults): Source {
  const denied = (path: Buffer): string | undefined => faults.deny?.get(path.toString("latin1"));
  return {
    root: inner.root,
    stat: (p) => inner.stat(p),
    readlink: (p) => inner.readlink(p),
    close: () => inner.close(),
    async list(dir: Buffer): Promise<SourceEntry[]> {
      const code = denied(dir);
      if (code) throw errno(code, dir);
      return inner.list(dir);
    },
    async openRead(path: Buffer, sizeHint?: number): Promise<Readable> {
      const code = denied(path);
      if (code) throw errno(code, path);
      const stream = await inner.openRead(path, sizeHint);
      const limit = faults.failReadAfter?.get(path.toString("latin1"));
      if (limit === undefined) return stream;
      let seen = 0;
      const cut = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          if (seen + chunk.length > limit) {
            const head = chunk.subarray(0, Math.max(0, limit - seen));
            seen = limit;
            if (head.length) this.push(head);
            cb(errno("EIO", path));
            return;
          }
          seen += chunk.length;
          cb(null, chunk);
        },
      });
      stream.on("error", (e) => cut.destroy(e));
      return stream.pipe(cut);
    },
  };
}

function errno(code: string, path: Buffer): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: injected fault on "${path.toString()}"`);
  err.code = code;
  return err;
}
