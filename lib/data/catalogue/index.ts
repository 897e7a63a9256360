// The catalogue: file versions per increment (ingest, retention, import) and the queries pages and the API use.
export { resolveTime, listIncrements, incrementStats, listDirectory, type ResolvedTime, type ListDirectoryOptions, type DirectoryEntry, type SortKey } from "./browse";
export { fileHistory, searchVersions, changesBetween, type HistoryEvent } from "./history";
export { ingestChangeSet, INGEST_BATCH, type IngestInput, type IngestResult } from "./ingest";
export { removeIncrements, type RemoveResult } from "./retention";
export { normalisePath, parentOf, nameOf, ROOT_PARENT } from "./paths";
