import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import {
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';

export interface ConnectOptions {
  uri: string;
  dbName?: string;
  /** How many times to try before giving up at start-up. */
  attempts?: number;
  /**
   * How long an operation waits for a server before it fails; also bounds each start-up attempt.
   * 5 s by default (the driver's own is 30 s): a replica set's election is mostly waited out, and a
   * request made while the database is away still fails in time to be told. The embedded server
   * is given 1.5 s (see runtime): its restart takes well under a second.
   */
  serverSelectionTimeoutMs?: number;
  logger: Logger;
}

/**
 * Opens a mongoose connection, retrying with backoff so a database that starts a moment after
 * the app (compose, a restarting node) does not fail the start. The driver reconnects by itself
 * after that; readiness reports the gap.
 */
export async function connectMongo(options: ConnectOptions): Promise<Connection> {
  const { logger } = options;
  const policy = retry(handleAll, {
    maxAttempts: Math.max(0, (options.attempts ?? 8) - 1),
    backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 3000 }),
  });
  policy.onRetry((event) => {
    const reason = 'error' in event ? event.error.message : 'unknown';
    logger.warn({ attempt: event.attempt, delayMs: event.delay, reason }, 'mongodb not reachable yet, retrying');
  });
  try {
    return await policy.execute(async () => {
      const connection = mongoose.createConnection(options.uri, {
        dbName: options.dbName,
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
        // Fail fast instead of queueing operations forever while the server is away.
        bufferCommands: false,
        autoIndex: true,
      });
      try {
        await connection.asPromise();
        return connection;
      } catch (error) {
        await connection.close(true).catch(() => undefined);
        throw error;
      }
    });
  } catch (error) {
    throw new TaskPilotError(
      ErrorCode.DatabaseUnavailable,
      `cannot connect to MongoDB at ${redactUri(options.uri)}: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
}

/**
 * The database could not be reached, or the connection to it was lost: an operation failed for
 * want of a server, not because of what it asked. Mongoose passes the driver's errors through;
 * wrappers (ours, Bolt's) keep them as the cause.
 */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (
      current instanceof MongoNetworkError ||
      current instanceof MongoServerSelectionError ||
      current instanceof MongoNotConnectedError ||
      current instanceof MongoTopologyClosedError ||
      current instanceof MongoServerClosedError ||
      (current instanceof Error && current.name === 'MongooseServerSelectionError')
    ) {
      return true;
    }
    current =
      (current as { cause?: unknown; original?: unknown }).cause ?? (current as { original?: unknown }).original;
  }
  return false;
}

/**
 * A connection error raised before the operation reached the server: no server was found, no
 * connection could be opened (the driver labels those SystemOverloadedError), the pool was
 * cleared while it waited, or the client was closed. Anything else lost on the wire (a socket
 * closed while the answer was awaited) may have been applied.
 */
export function isUnsent(error: unknown): boolean {
  return (
    (error instanceof MongoError && error.hasErrorLabel(MongoErrorLabel.SystemOverloadedError)) ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoServerClosedError ||
    (error instanceof Error &&
      ['MongoPoolClearedError', 'PoolClearedOnNetworkError', 'MongooseServerSelectionError'].includes(error.name))
  );
}

/** Hides credentials in a connection string before it reaches a log line. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//[redacted]@');
}
