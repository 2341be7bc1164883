import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../logger';
import type { ProcessedEvents } from './processed-events';

/**
 * Events whose second handling does no harm: a home tab published twice shows the same thing.
 * Not recording them spares the database a write for every tab a person opens.
 */
const IDEMPOTENT = new Set(['app_home_opened']);

/**
 * Global middleware: an Events API delivery whose event id was already handled stops here, so a
 * Slack retry (X-Slack-Retry-Num) has no second effect. Bolt acknowledges an event before any
 * middleware runs, so Slack never retries because handling failed: an event is handled at most
 * once, and a failure is told to the person by the handler (a reply in the thread).
 */
export function dedupeEvents(processed: ProcessedEvents, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const envelope = body as { type?: unknown; event_id?: unknown; team_id?: unknown; event?: { type?: unknown } };
    const eventType = typeof envelope.event?.type === 'string' ? envelope.event.type : '';
    if (envelope.type !== 'event_callback' || typeof envelope.event_id !== 'string' || IDEMPOTENT.has(eventType)) {
      await next();
      return;
    }
    const teamId = typeof envelope.team_id === 'string' ? envelope.team_id : (context.teamId ?? '');
    const eventId = envelope.event_id;
    if (!(await processed.claim(teamId, eventId))) {
      logger.info({ teamId, eventId, retryNum: context.retryNum }, 'slack event already handled; ignoring the copy');
      return;
    }
    await next();
  };
}
