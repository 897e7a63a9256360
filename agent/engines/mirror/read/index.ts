// Public face of the mirror read path: open a repository, walk or restore any session, list, remove, verify,
// and read every path's versions for catalogue import.
export { locateRepository, openRepository, restoreTimeFor, type MirrorRepo } from "./repository";
export { walkAt, statAt, openFileAt, isWithin, type WalkEntry, type WalkOptions } from "./walk";
export { restoreTo, restoreToDirectory, DirectoryOutput, callbackOutput, type RestoreOutput, type RestoreResult } from "./restore";
export {
  listIncrements, renderIncrements, listIncrementSizes, renderIncrementSizes, filesAt, changedSince, printablePath,
  type IncrementInfo, type IncrementSize, type Change,
} from "./list";
export { removeIncrementsOlderThan, removalCandidates, type RemovePlan } from "./remove";
export { verifyAt, type VerifyResult, type VerifyProblem } from "./verify";
export { readVersions, toChangeSetEntry } from "./versions";
export { timeForRepo } from "./time-spec";
export { FileDataError } from "./file-data";
