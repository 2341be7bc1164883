import { App } from '@slack/bolt';
import { UserInputError } from '../../src/errors';
import { FakeSlack } from '../../src/playground/fake-slack';
import { slashCommandBody } from '../../src/playground/signing';
import { boltLogger } from '../../src/slack/bolt-logger';
import { registerErrorHandler } from '../../src/slack/error-handler';
import { capturingLogger } from '../helpers/logger';

/** Drives Bolt without a server, as Slack's receiver would, and records the acknowledgement. */
async function dispatch(app: App, body: Record<string, unknown>): Promise<{ acked: boolean }> {
  const state = { acked: false };
  await app.processEvent({
    body,
    ack: async () => {
      state.acked = true;
    },
  });
  return state;
}

describe('the global Slack error handler', () => {
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(() => slack.stop());

  function appWith(listener: () => Promise<void>) {
    const { logger, lines } = capturingLogger('debug');
    const app = new App({
      token: 'xoxb-test',
      signingSecret: 'unused',
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      logger: boltLogger(logger),
      extendedErrorHandler: true,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    registerErrorHandler(app, logger);
    app.command('/task', async ({ ack }) => {
      await ack();
      await listener();
    });
    return { app, lines };
  }

  const commandBody = (responseId: string) =>
    Object.fromEntries(
      new URLSearchParams(slashCommandBody({ text: 'x', response_url: slack.responseUrl(responseId) })),
    );

  it('shows the person the message of an error they can fix, and logs it with its code', async () => {
    const { app, lines } = appWith(async () => {
      throw new UserInputError('That task number does not exist.');
    });
    const { acked } = await dispatch(app, commandBody('user-error'));
    expect(acked).toBe(true);

    const response = await slack.waitForResponse('user-error');
    expect(response.body).toMatchObject({ response_type: 'ephemeral', text: 'That task number does not exist.' });
    expect(lines()).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'request refused', code: 'invalid_input', kind: 'command' }),
    );
  });

  it('shows a kind, generic message for a bug and keeps the details in the log only', async () => {
    const { app, lines } = appWith(async () => {
      throw new Error('TypeError deep inside: secret internals');
    });
    await dispatch(app, commandBody('bug'));

    const response = await slack.waitForResponse('bug');
    expect(String(response.body.text)).toMatch(/^Something went wrong on our side/);
    expect(JSON.stringify(response.body)).not.toContain('secret internals');
    const logged = lines().find((line) => line.msg === 'slack listener failed');
    expect(logged).toMatchObject({ code: 'unknown' });
    expect(JSON.stringify(logged)).toContain('secret internals');
  });
});
