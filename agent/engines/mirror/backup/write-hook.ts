// Test hook for crash tests: STRATA_TEST_KILL_AFTER_WRITES=N makes the process SIGKILL itself at its
// Nth repository write (each file creation, data chunk, rename, unlink, mkdir or attribute change counts).

let count = 0;
const limit = Number(process.env.STRATA_TEST_KILL_AFTER_WRITES ?? "0");

/** Counts one repository write; kills the process when the test hook's limit is reached. */
export function countWrite(): void {
  if (limit <= 0) return;
  count++;
  if (count >= limit) process.kill(process.pid, "SIGKILL");
}

/** Writes counted so far (tests print it to pick kill points). */
export function writesSoFar(): number {
  return count;
}
