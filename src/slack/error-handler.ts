import type { App } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App';
import { asTaskPilotError, isUserCaused } from '../errors';
import type { Logger } from '../logger';
import { reportError } from '../observability/sentry';
import { payloadKind } from './payload-kind';

function responseUrlOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const url = (body as { response_url?: unknown }).response_url;
  return typeof url === 'string' ? url : undefined;
}

/**
 * The one place where errors from listeners end: a structured log line with the Slack context,
 * a Sentry report, and, where Slack gave us a way to answer, a kind message to the person.
 * It never rethrows, so Slack always gets its acknowledgement.
 */
export function registerErrorHandler(app: App, logger: Logger): void {
  app.error(async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    const coded = asTaskPilotError(error.original ?? error);
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
