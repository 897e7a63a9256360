// Public entry of the mirror engine (rdiff-backup 2.x repositories): back up a Source into a repository,
// regress a failed session; and (re-exported from ./read) restore, list, remove, verify and versions.
export { backupSession, type BackupOptions } from "./backup/session";
export { regressRepository, type RegressResult } from "./regress/regress";
export type { SelectionRule } from "./selection/selection";
export * from "./read/index";
