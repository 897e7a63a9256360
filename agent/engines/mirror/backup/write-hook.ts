// Test hook for crash tests: STRATA_TEST_KILL_AFTER_WRITES=N makes the process SIGKILL itself at its
// Nth repository write (each file creation, data chunk, rename, unlink, mkdir or attribute change counts);
// STRATA_TEST_WRITE_COUNT_FILE=F writes the number of writes into F at exit (to choose kill points).
import { writeFileSync } from "node:fs";

let count = 0;
const limit = Number(process.env.STRATA_TEST_KILL_AFTER_WRITES ?? "0");
const countFile = process.env.STRATA_TEST_WRITE_COUNT_FILE;
/** Whether a test hook counts writes (they must then all happen on the main thread, in order). */
export const writeHookActive = limit > 0 || countFile !== undefined;
if (countFile) process.on("exit", () => writeFileSync(countFile, String(count)));

/** Counts one repository write; kills the process when the test hook's limit is reached. */
export function countWrite(): void {
  if (limit <= 0 && !countFile) return;
  count++;
  if (limit > 0 && count >= limit) process.kill(process.pid, "SIGKILL");
}
