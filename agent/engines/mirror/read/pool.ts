// A small bounded pool: lets a traversal keep several independent file operations in flight while the
// walk goes on, so restores and verifies are not bound by one round trip per file.

/** Runs tasks with at most `limit` in flight; `drain` waits for all of them. */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  /** Starts `task` once a slot is free (resolves when it has started, not finished). */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const p: Promise<void> = task().finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits until nothing is in flight. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
  }
}
