import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { payloadKind } from './payload-kind';

/**
 * Wraps a Bolt receiver to do two things Bolt does not: time every acknowledgement (the number
 * Slack's 3-second limit is about) by payload kind, and acknowledge any payload no listener
 * acknowledged, so Slack never sees Bolt's 3-second 404 for an interaction we do not handle.
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
          if (!acked) {
            acked = true;
            metrics.ackLatency.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
          }
          return event.ack(response);
        };
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
