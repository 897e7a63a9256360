// Streaming librsync delta generation: signature of the basis + one pass over the target → delta bytes.
// For a reverse increment the basis is the NEWER file and the target the OLDER one (spec §0.5, §5.3).
import type { Writable } from "node:stream";
import { once } from "node:events";
import { DeltaEncoder } from "./delta-encoder";
import { DeltaMatcher } from "./match";
import type { Signature } from "./signature";

/** Emits a librsync delta that turns the basis described by `sig` into `target`; reads the target once. */
export async function* createDelta(sig: Signature, target: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const enc = new DeltaEncoder();
  const matcher = new DeltaMatcher(sig, enc);
  for await (const chunk of target) {
    matcher.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    const out = enc.take();
    if (out) yield out;
  }
  matcher.finish();
  enc.end();
  const out = enc.take();
  if (out) yield out;
}

/**
 * Writes the reverse increment delta(signature(newer), older) to `out` (honouring backpressure, not ending it)
 * and returns the number of delta bytes written.
 */
export async function writeReverseDelta(args: {
  newerSignature: Signature;
  olderStream: AsyncIterable<Uint8Array>;
  out: Writable;
}): Promise<number> {
  let bytes = 0;
  for await (const chunk of createDelta(args.newerSignature, args.olderStream)) {
    bytes += chunk.length;
    if (!args.out.write(chunk)) await once(args.out, "drain");
  }
  return bytes;
}
