// Waiting in the daemon's loops: a timer that an AbortSignal (shutdown) or a wake-up call ends early, leaving no
// listener behind on the long-lived signal.

/** Resolves after `ms`, when `signal` aborts, or when the returned promise's `wake` is called. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> & { wake(): void } {
  let wake = () => {};
  const p = new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    wake = done;
  });
  return Object.assign(p, { wake: () => wake() });
}
