import { LogLevel, WebClient } from '@slack/web-api';
import { FakeSlack } from '../../src/playground/fake-slack';

describe('fake Slack Web API', () => {
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(() => slack.stop());

  it('records calls with their arguments and answers like Slack', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] });
    expect(posted).toMatchObject({ ok: true, channel: 'C1' });
    const call = await slack.waitForCall('chat.postMessage');
    expect(call.body).toMatchObject({ channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] });
    expect(call.authorization).toBe('Bearer xoxb-test');
  });

  it('answers 429 with Retry-After when asked, and the Web API client waits and retries', async () => {
    slack.rateLimit('chat.update', 1, 1);
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    const started = Date.now();
    await client.chat.update({ channel: 'C1', ts: '1.1', text: 'edited' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
  });
});
