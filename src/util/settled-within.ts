/** What `settledWithin` saw: the outcome, or that the work is still running. */
export type Within<T> = { settled: true; value: T } | { settled: true; error: unknown } | { settled: false };

/**
 * Waits at most `ms` for `work` and says how it went; work still running goes on unobserved
 * (its failure is swallowed here: a caller that moves on must redo or report it itself). For an
 * answer that is only better when it comes in time, such as a form's errors in its ack.
 */
export async function settledWithin<T>(ms: number, work: Promise<T>): Promise<Within<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Within<T>>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), ms);
  });
  try {
    return await Promise.race([
      work.then(
        (value): Within<T> => ({ settled: true, value }),
        (error: unknown): Within<T> => ({ settled: true, error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
