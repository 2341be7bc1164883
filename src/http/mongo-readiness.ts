import { MongoClient } from 'mongodb';
import { ErrorCode } from '../errors';
import { withDeadline } from '../util/deadline';
import type { ReadinessCheck } from './readiness';

/** How the readiness connection names itself to the server (its `hello`, server logs). */
export const READINESS_APP_NAME = 'taskpilot-readiness';

export interface MongoReadiness {
  check: ReadinessCheck;
  close(): Promise<void>;
}

/**
 * The `mongodb` readiness check on a connection of its own: one socket, short timeouts. On the
 * app's pool (two connections on the embedded server) a ping would queue behind every request
 * and report a busy database as a dead one; here it measures only whether the server answers.
 */
export function mongoReadiness(uri: string, timeoutMs = 1500): MongoReadiness {
  const client = new MongoClient(uri, {
    maxPoolSize: 1,
    minPoolSize: 0,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs * 2,
    // A probe that failed is asked again by the next probe, not retried inside this one.
    retryReads: false,
    retryWrites: false,
    appName: READINESS_APP_NAME,
  });
  return {
    check: {
      name: 'mongodb',
      check: async () => {
        // The driver connects on first use and reconnects by itself after an outage.
        await withDeadline(timeoutMs, 'mongodb ping failed', ErrorCode.DatabaseUnavailable, () =>
          client.db('admin').command({ ping: 1 }),
        );
      },
    },
    close: () => client.close(),
  };
}
