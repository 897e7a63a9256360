// How many runs the agent does at once: a run waits (reported "queued") for a free slot; cancelling it while it
// waits ends the wait without taking one.

/** A counting semaphore for runs. */
export class RunSlots {
  private used = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`Invalid number of concurrent runs "${max}": use 1 or more`);
  }

  /** True when a slot is free right now. */
  get free(): boolean {
    return this.used < this.max;
  }

  /** Resolves true once a slot is taken, or false when `signal` aborts first (nothing taken). */
  take(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.used < this.max) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener("abort", abort);
        resolve(true);
      };
      const abort = () => {
        this.waiting = this.waiting.filter((w) => w !== grant);
        resolve(false);
      };
      this.waiting.push(grant);
      signal.addEventListener("abort", abort, { once: true });
    });
  }

  /** Gives a slot back (to the first waiter, if any). */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}
