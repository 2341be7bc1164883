import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { isUserCaused } from '../errors';
import type { Logger } from '../logger';
import type { ProcessedEvents } from './processed-events';

/**
 * Global middleware: an Events API delivery whose event id was already handled stops here, so a
 * Slack retry (X-Slack-Retry-Num) has no second effect. Bolt has acknowledged it already. When
 * handling fails on our side the claim is dropped again, so Slack's retry gets another try.
 */
export function dedupeEvents(processed: ProcessedEvents, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const envelope = body as { type?: unknown; event_id?: unknown; team_id?: unknown };
    if (envelope.type !== 'event_callback' || typeof envelope.event_id !== 'string') {
      await next();
      return;
    }
    const teamId = typeof envelope.team_id === 'string' ? envelope.team_id : (context.teamId ?? '');
    const eventId = envelope.event_id;
    if (!(await processed.claim(teamId, eventId))) {
      logger.info({ teamId, eventId, retryNum: context.retryNum }, 'slack event already handled; ignoring the copy');
      return;
    }
    try {
      await next();
    } catch (error) {
      // A refusal was the answer; anything else is ours and worth Slack's retry.
      if (!isUserCaused(error)) {
        await processed.release(teamId, eventId).catch((releaseError) => {
          logger.warn({ err: releaseError, eventId }, 'could not release a failed event');
        });
      }
      throw error;
    }
  };
}
