import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, TaskPilotError } from '../errors';
import { isConnectionError, isUnsent } from './connection';

/**
 * A write whose connection was lost after it was sent: it may or may not have been stored, and
 * the database could not be asked again. The person must be told so, not that it failed.
 */
export class WriteOutcomeUnknownError extends TaskPilotError {
  constructor(what: string, cause: unknown) {
    super(ErrorCode.DatabaseUnavailable, `${what}: the connection was lost and the outcome is unknown`, undefined, {
      cause,
    });
    this.name = 'WriteOutcomeUnknownError';
  }
}

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number } | null)?.code === 11000;

/**
 * How long a write keeps trying through a lost connection: a restart of the embedded server
 * (about 0.6 s) is ridden out, and with a last attempt's server selection (1.5 s) a request that
 * fails still gets its answer inside 3 s.
 */
const RETRY_BUDGET_MS = 1000;
const FIRST_RETRY_MS = 100;

/**
 * Runs `attempt` again while it fails for want of a connection, with a doubling pause, until the
 * budget is spent. MongoDB's driver retries writes once by itself on replica sets; a standalone
 * server and FerretDB support no retryable writes, and the driver does not mark a server that
 * refuses connections as down until its next heartbeat, so without this every write made while
 * the embedded server restarts would fail. A whole server-selection wait is not retried: it
 * already gave the server its time to come back. `onFailure` sees each failure (and may throw).
 */
async function withRetries<T>(attempt: () => Promise<T>, onFailure: (error: unknown) => void): Promise<T> {
  const deadline = Date.now() + RETRY_BUDGET_MS;
  for (let pause = FIRST_RETRY_MS; ; pause *= 2) {
    try {
      return await attempt();
    } catch (error) {
      onFailure(error);
      const retriable =
        isConnectionError(error) && !(error instanceof Error && error.name === 'MongoServerSelectionError');
      const left = deadline - Date.now();
      if (!retriable || left <= 0) throw error;
      await delay(Math.min(pause, left));
    }
  }
}

/** A write that is safe to repeat (an increment whose gap is harmless, an upsert), tried through a lost connection. */
export function retryOnConnectionLoss<T>(write: () => Promise<T>): Promise<T> {
  return withRetries(write, () => {});
}

/**
 * Inserts a document whose `_id` the caller fixed beforehand, trying again through a lost
 * connection. If an earlier attempt may have been stored, a later one fails on a duplicate key,
 * and `findLanded` (a read by that `_id`) tells that from a clash on another unique index. Given
 * up while an attempt may have landed, the outcome is unknown, and the error says so.
 */
export async function insertOnce<T>(
  what: string,
  insert: () => Promise<T>,
  findLanded: () => Promise<T | null>,
): Promise<T> {
  let maybeSent = false;
  try {
    return await withRetries(insert, (error) => {
      if (isConnectionError(error) && !isUnsent(error)) maybeSent = true;
    });
  } catch (error) {
    if (maybeSent && isDuplicateKey(error)) {
      const landed = await findLanded().catch((lookup: unknown) => {
        throw isConnectionError(lookup) ? new WriteOutcomeUnknownError(what, lookup) : lookup;
      });
      if (landed) return landed;
    }
    if (maybeSent && isConnectionError(error)) throw new WriteOutcomeUnknownError(what, error);
    throw error;
  }
}
