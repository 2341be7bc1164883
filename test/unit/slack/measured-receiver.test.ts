import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { createMetrics } from '../../../src/observability/metrics';
import { measuredReceiver } from '../../../src/slack/measured-receiver';
import { capturingLogger } from '../../helpers/logger';

/** The receiver the wrapper is given: it hands the app's processEvent back to the test. */
function innerReceiver(): { receiver: Receiver; deliver: () => (event: ReceiverEvent) => Promise<void> } {
  let processEvent: ((event: ReceiverEvent) => Promise<void>) | undefined;
  const receiver = {
    init(app: App) {
      processEvent = (event) => app.processEvent(event);
    },
    start: async () => undefined,
    stop: async () => undefined,
  } as unknown as Receiver;
  return {
    receiver,
    deliver: () => {
      if (!processEvent) throw new Error('not initialised');
      return processEvent;
    },
  };
}

describe('measuredReceiver', () => {
  it('still hands a command to the app when its early ack cannot be sent, and logs it', async () => {
    const { logger, lines } = capturingLogger('warn');
    const inner = innerReceiver();
    const handled: unknown[] = [];
    measuredReceiver(inner.receiver, createMetrics(), logger).init({
      processEvent: async (event: ReceiverEvent) => {
        handled.push(event.body);
      },
    } as unknown as App);
    const body = { command: '/task', text: 'help', team_id: 'T1', user_id: 'U1' };
    await inner.deliver()({
      body,
      ack: async () => {
        throw new Error('socket closed');
      },
    } as unknown as ReceiverEvent);
    expect(handled).toEqual([body]);
    expect(lines()).toEqual([
      expect.objectContaining({ msg: 'could not acknowledge a payload at once; handling it anyway', kind: 'command' }),
    ]);
  });
});
