import type { App } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App';
import { isConnectionError } from '../db/connection';
import { asTaskPilotError, ErrorCode, isUserCaused, TaskPilotError } from '../errors';
import type { Logger } from '../logger';
import { reportError } from '../observability/sentry';
import { payloadKind } from './payload-kind';

function responseUrlOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const url = (body as { response_url?: unknown }).response_url;
  return typeof url === 'string' ? url : undefined;
}

/**
 * A listener's error as a coded one. A lost database connection that nothing more specific caught
 * (a list, a click) gets a message saying so, instead of a generic one: the person can try again.
 */
function codedError(error: unknown): TaskPilotError {
  const coded = asTaskPilotError(error);
  if (coded.code !== ErrorCode.Unknown || !isConnectionError(error)) return coded;
  return new TaskPilotError(
    ErrorCode.DatabaseUnavailable,
    coded.message,
    "I couldn't reach the database just now. Please try again in a moment.",
    { cause: error },
  );
}

/**
 * The one place where errors from listeners end: a structured log line with the Slack context,
 * a Sentry report, and, where Slack gave us a way to answer, a kind message to the person.
 * It never rethrows, so Slack always gets its acknowledgement.
 */
export function registerErrorHandler(app: App, logger: Logger): void {
  app.error(async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    const coded = codedError(error.original ?? error);
    const details = {
      err: error,
      code: coded.code,
      boltCode: error.code,
      kind: payloadKind(body),
      teamId: context?.teamId,
      userId: context?.userId,
    };
    if (isUserCaused(coded)) {
      // Not a fault: a request we refused with a message the person can act on.
      logger.info({ ...details, err: undefined, reason: coded.message }, 'request refused');
    } else {
      logger.error(details, 'slack listener failed');
      reportError(error, { code: coded.code, kind: details.kind, teamId: details.teamId });
    }

    const responseUrl = responseUrlOf(body);
    if (!responseUrl) return;
    try {
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: coded.userMessage }),
        signal: AbortSignal.timeout(3000),
      });
    } catch (notifyError) {
      logger.warn({ err: notifyError }, 'could not tell the user about the failure');
    }
  });
}
