import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import { type ErrorCode, TaskPilotError } from '../errors';

/**
 * Runs `work` with a hard deadline; a failure or a timeout becomes a TaskPilotError with `code`
 * and a message that starts with `what`. Health checks use it so a probe never hangs.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  what: string,
  code: ErrorCode,
  work: () => PromiseLike<T>,
): Promise<T> {
  try {
    return await timeout(timeoutMs, TimeoutStrategy.Aggressive).execute(() => work());
  } catch (error) {
    const reason = error instanceof TaskCancelledError ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new TaskPilotError(code, `${what}: ${reason}`, undefined, { cause: error });
  }
}
