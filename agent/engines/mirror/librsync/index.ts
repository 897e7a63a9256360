// Public face of Strata's librsync-compatible delta engine (spec §5): signatures, deltas, patching.
export { blockLengthFor, computeSignature, parseSignature, serializeSignature, SignatureBuilder, SIGNATURE_MAGIC } from "./signature";
export type { Signature, SignatureKind, SignatureOptions } from "./signature";
export { createDelta, writeReverseDelta } from "./delta";
export { applyDelta, patchToFile, DeltaFormatError, type DeltaBasis } from "./patch";
export { DELTA_MAGIC } from "./delta-encoder";
export { md4 } from "./md4";
export { blake2b } from "./blake2b";
