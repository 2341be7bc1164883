import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../logger';
import type { Metrics, PayloadKind } from '../observability/metrics';
import { payloadKind } from './payload-kind';

/**
 * Payloads whose acknowledgement carries nothing: they are acknowledged the moment they arrive,
 * before Bolt authorises them (an installation lookup with OAuth) and before any middleware or
 * listener runs, so nothing the app waits on can make Slack's 3 s run out. A view submission
 * (its answer may be errors or a new view) and an options request (its answer is the options)
 * are acknowledged by their listeners, which answer without waiting on the database.
 */
const ACKED_AT_ONCE: ReadonlySet<PayloadKind> = new Set([
  'command',
  'event',
  'block_actions',
  'shortcut',
  'message_action',
  'view_closed',
]);

/** Workflow functions answer through their ack; everything else in the Events API is empty. */
function acksAtOnce(kind: PayloadKind, body: unknown): boolean {
  if (!ACKED_AT_ONCE.has(kind)) return false;
  return (body as { event?: { type?: unknown } }).event?.type !== 'function_executed';
}

/**
 * Wraps a Bolt receiver to do what Bolt does not: acknowledge at once what needs no answer (see
 * ACKED_AT_ONCE), time every acknowledgement by payload kind (the number Slack's 3-second limit
 * is about), and acknowledge any payload no listener acknowledged, so Slack never sees Bolt's
 * 3-second 404 for an interaction we do not handle. The ack the app sees sends only once; later
 * calls (a listener's own `ack()` after the early one) do nothing.
 */
export function measuredReceiver(inner: Receiver, metrics: Metrics, logger: Logger): Receiver {
  return {
    init(app: App) {
      const processEvent = async (event: ReceiverEvent): Promise<void> => {
        const kind = payloadKind(event.body);
        const started = process.hrtime.bigint();
        let acked = false;
        metrics.slackRequests.inc({ kind });
        const ack: ReceiverEvent['ack'] = async (response) => {
          if (acked) return;
          acked = true;
          metrics.ackLatency.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
          return event.ack(response);
        };
        if (acksAtOnce(kind, event.body)) {
          // An ack that cannot be sent (the connection went) must not cost the payload its
          // handling: the work and its answer through the response URL or Web API go on.
          await ack(undefined).catch((error: unknown) =>
            logger.warn({ err: error, kind }, 'could not acknowledge a payload at once; handling it anyway'),
          );
        }
        try {
          await app.processEvent({ ...event, ack });
        } finally {
          if (!acked) {
            logger.info({ kind }, 'no listener acknowledged this payload; acknowledging it empty');
            await ack(undefined);
          }
        }
      };
      // Receivers only ever call processEvent on the app they are given.
      inner.init({ processEvent } as unknown as App);
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  };
}
