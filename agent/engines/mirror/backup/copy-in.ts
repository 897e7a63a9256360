// Reads one source file ONCE into a temp file in the mirror, computing its SHA1 and (when a reverse delta
// will be needed) its librsync signature on the way.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Source } from "@/agent/sources/types";
import { SignatureBuilder, type Signature } from "../librsync/signature";
import { SourceReadError, writeChunks } from "./repo-writer";

/** What a copy produced. */
export interface CopyResult {
  bytes: number;
  sha1: string;
  sig?: Signature;
}

/** Copies source `path` to `tmp`; source failures reject with SourceReadError (tmp removed). */
export async function copyFromSource(source: Source, path: Buffer, size: number, tmp: Buffer, withSig: boolean, mode = 0o600): Promise<CopyResult> {
  let stream: AsyncIterable<Buffer>;
  try {
    stream = (await source.openRead(path, size)) as AsyncIterable<Buffer>;
  } catch (err) {
    throw new SourceReadError(err);
  }
  return tee(stream, tmp, size, withSig, mode);
}

/** SHA1 and signature of a file already in the repository (the first path of a hard-link group). */
export async function signatureOfFile(file: Buffer, size: number): Promise<{ sha1: string; sig: Signature }> {
  const hash = createHash("sha1");
  const sig = new SignatureBuilder({ fileLength: size });
  for await (const c of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(c);
    sig.update(c);
  }
  return { sha1: hash.digest("hex"), sig: sig.digest() };
}

/** SHA1 of a repository file. */
export async function sha1OfFile(file: Buffer): Promise<string> {
  const hash = createHash("sha1");
  for await (const c of createReadStream(file) as AsyncIterable<Buffer>) hash.update(c);
  return hash.digest("hex");
}

async function tee(stream: AsyncIterable<Buffer>, tmp: Buffer, size: number, withSig: boolean, mode: number): Promise<CopyResult> {
  const hash = createHash("sha1");
  const sig = withSig ? new SignatureBuilder({ fileLength: size }) : undefined;
  async function* tap(): AsyncGenerator<Buffer> {
    for await (const c of stream) {
      hash.update(c);
      sig?.update(c);
      yield c;
    }
  }
  const bytes = await writeChunks(tmp, tap(), mode);
  return { bytes, sha1: hash.digest("hex"), sig: sig?.digest() };
}
