/**
 * Wraps `work` so that calls while it runs join the run in progress instead of starting another:
 * a periodic scan that outlives its interval (or its job's lock) cannot pile up copies of itself.
 */
export function singleFlight<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= work().finally(() => {
      running = undefined;
    });
    return running;
  };
}
