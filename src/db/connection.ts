import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import mongoose, { type Connection } from 'mongoose';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';
import { withDeadline } from '../util/deadline';

export interface ConnectOptions {
  uri: string;
  dbName?: string;
  /** How many times to try before giving up at start-up. */
  attempts?: number;
  /** How long the driver looks for a server per operation; also bounds each attempt. */
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

/** Pings the server with a hard deadline, so a readiness probe never hangs on a dead socket. */
export async function pingMongo(connection: Connection, timeoutMs = 1500): Promise<void> {
  const db = connection.db;
  // The ping itself is the truth: mongoose's readyState lags the driver's own reconnects.
  if (!db) {
    throw new TaskPilotError(ErrorCode.DatabaseUnavailable, 'mongodb connection is not open');
  }
  await withDeadline(timeoutMs, 'mongodb ping failed', ErrorCode.DatabaseUnavailable, () => db.command({ ping: 1 }));
}

/** Hides credentials in a connection string before it reaches a log line. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//[redacted]@');
}
