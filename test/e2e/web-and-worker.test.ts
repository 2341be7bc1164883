import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

/**
 * Scale-out: a web process takes /task and schedules the reminder; a separate worker process
 * (here: runtime) on the same database fires it. The web clock runs 59 s behind, so "in 1
 * minute" is due about a second from now in real time.
 */
describe('--role web and --role worker', () => {
  let slack: FakeSlack;
  let web: Runtime & { baseUrl: string };
  let worker: Runtime & { baseUrl: string };

  beforeAll(async () => {
    slack = await FakeSlack.start();
    const mongoUri = uriForDb(uniqueDbName('web_worker'));
    web = await startTestRuntime({
      mongoUri,
      slackApiUrl: slack.apiUrl,
      role: 'web',
      extra: { now: () => new Date(Date.now() - 59_000) },
    });
    worker = await startTestRuntime({
      mongoUri,
      slackApiUrl: slack.apiUrl,
      role: 'worker',
      env: { TASKPILOT_POLL_MS: '200' },
    });
  });
  afterAll(async () => {
    await web.connection.dropDatabase().catch(() => undefined);
    await web.shutdown();
    await worker.shutdown();
    await slack.stop();
  });

  it('the web role schedules, the worker role delivers', async () => {
    expect(web.scheduler.isRunning()).toBe(false);
    const res = await postSigned(
      `${web.baseUrl}/slack/events`,
      slashCommandBody({
        text: 'call the bank in 1 minute',
        user_id: 'U0SCALE',
        team_id: 'T0TEST',
        response_url: slack.responseUrl('made'),
      }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify((await slack.waitForResponse('made')).body)).toContain('Task #1 created');
    const reminder = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === 'D0SCALE', 15_000);
    expect(reminder.body.text).toBe('Reminder: #1 call the bank');
  });
});
