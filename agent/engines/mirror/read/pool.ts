// A small bounded pool: lets a traversal keep several independent file operations in flight while the
// walk goes on, so restores and verifies are not bound by one round trip per file.

/** Runs tasks with at most `limit` in flight; `drain` waits for all of them. A task's failure rejects the next add or drain. */
export class TaskPool {
  private active = 0;
  private waiters: Array<() => void> = [];
  private failure: { err: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Starts `task` once a slot is free (resolves when it has started, not finished). */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.active >= this.limit) await this.slotFreed();
    this.check();
    this.active++;
    task()
      .catch((err: unknown) => void (this.failure ??= { err }))
      .finally(() => {
        this.active--;
        const w = this.waiters;
        this.waiters = [];
        for (const wake of w) wake();
      });
  }

  /** Runs `task` once a slot is free and settles as it does (its failure is the caller's, not the pool's). */
  async run<T>(task: () => Promise<T>): Promise<T> {
    let outcome!: Promise<T>;
    await this.add(() => (outcome = task()).then(() => undefined, () => undefined));
    return outcome;
  }

  /** Waits until nothing is in flight. */
  async drain(): Promise<void> {
    while (this.active > 0) await this.slotFreed();
    this.check();
  }

  private slotFreed(): Promise<void> {
    return new Promise((res) => this.waiters.push(res));
  }

  private check(): void {
    const f = this.failure;
    if (f) {
      this.failure = undefined;
      throw f.err;
    }
  }
}
