// Public face of the rdiff-backup 2.x on-disk format layer (spec ../shared/spec/rdiff-backup-format.md §1–§4):
// names, quoting, metadata records/streams/chain, statistics, session discovery, long names, byte paths.
export * from "./names";
export * from "./quoting";
export * from "./metadata-record";
export * from "./metadata-stream";
export * from "./metadata-chain";
export * from "./statistics";
export * from "./sessions";
export * from "./long-names";
export * from "./fs-path";
