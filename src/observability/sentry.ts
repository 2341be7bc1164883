import * as Sentry from '@sentry/node';
import type { Logger } from '../logger';

export interface SentryOptions {
  dsn: string | undefined;
  /** Tests pass a transport that records envelopes instead of sending them. */
  transport?: Sentry.NodeOptions['transport'];
  release?: string;
}

/** Initialises Sentry when a DSN is configured; returns whether it is on. */
export function initSentry(options: SentryOptions, logger: Logger): boolean {
  if (!options.dsn) return false;
  Sentry.init({
    dsn: options.dsn,
    release: options.release,
    transport: options.transport,
    // Slack payloads carry user text, ids and signed headers: keep them out of Sentry.
    dataCollection: { userInfo: false, cookies: false, httpHeaders: false, httpBodies: [], urlQueryParams: false },
    tracesSampleRate: 0,
  });
  logger.info('sentry enabled');
  return true;
}

/** Reports an error with context when Sentry is on; a no-op otherwise. */
export function reportError(error: unknown, context: Record<string, unknown> = {}): void {
  if (!Sentry.isInitialized()) return;
  Sentry.captureException(error, { extra: context });
}

export async function flushSentry(timeoutMs = 2000): Promise<void> {
  if (Sentry.isInitialized()) await Sentry.flush(timeoutMs);
}
