import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { Scheduler } from '../../src/scheduler/scheduler';
import { elementWithAction } from '../helpers/block-kit';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { blockActions, sendInteraction } from '../helpers/interactions';
import { TestClock } from '../helpers/reminders';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

const USER = 'U0FIRING';
const BACKSTOP_MS = 5000;

/**
 * A reminder made with /task, fired by the running dispatcher across Berlin's spring-forward
 * change, and closed from its own Done button. The app's clock is fixed before the change; time
 * is "jumped" by moving the clock, and the dispatcher's next scan finds the reminder due, so the
 * firing path (the dispatcher, the reminder service, the fake Slack API) runs for real.
 */
describe('a reminder firing end to end across DST', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };
  const clock = new TestClock(new Date('2027-03-27T07:00:00Z')); // Saturday 08:00 CET

  beforeAll(async () => {
    slack = await FakeSlack.start();
    runtime = await startTestRuntime({
      mongoUri: uriForDb(uniqueDbName('reminder_firing')),
      slackApiUrl: slack.apiUrl,
      env: {
        TASKPILOT_POLL_MS: '200',
        TASKPILOT_DISPATCH_MS: '200',
        TASKPILOT_REMINDER_BACKSTOP_MS: String(BACKSTOP_MS),
      },
      extra: { now: clock.now },
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  const jobs = () => runtime.connection.db?.collection(Scheduler.COLLECTION);

  it('fires at 09:00 CET, schedules 09:00 CEST next, and Done on the reminder closes that occurrence', async () => {
    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({
        text: 'stretch every day at 9am',
        user_id: USER,
        team_id: 'T0TEST',
        response_url: slack.responseUrl('create'),
      }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const created = JSON.stringify((await slack.waitForResponse('create')).body);
    expect(created).toContain('Task #1 created');
    expect(created).toContain('after the clocks change');

    const job = await eventually(
      async () => (await jobs()?.findOne({ name: 'reminder.fire' })) ?? undefined,
      'the reminder job',
    );
    // The job stands behind the dispatcher, its backstop time after the reminder's.
    expect(job.nextRunAt).toEqual(new Date(Date.parse('2027-03-27T08:00:00Z') + BACKSTOP_MS));

    clock.set('2027-03-27T08:00:00.300Z');
    const reminder = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === 'D0FIRING', 10_000);
    expect(String(reminder.body.text)).toBe('Reminder: #1 stretch');
    await eventually(
      async () =>
        (await jobs()?.findOne({ _id: job._id }))?.nextRunAt?.getTime() ===
        Date.parse('2027-03-28T07:00:00Z') + BACKSTOP_MS,
      'the next run behind 09:00 CEST (07:00 UTC)',
    );

    // The Done button as posted: it names the task and the firing it was posted for.
    const done = elementWithAction(reminder.body.blocks, 'reminder_done');
    expect(done?.value).toBe(`1@${Date.parse('2027-03-27T08:00:00Z')}`);
    const click = await sendInteraction(
      runtime.baseUrl,
      blockActions(USER, slack.responseUrl('done'), {
        action_id: 'reminder_done',
        block_id: 'reminder_actions',
        type: 'button',
        value: done?.value,
      }),
    );
    expect(click.status).toBe(200);
    const answer = (await slack.waitForResponse('done')).body as { replace_original?: boolean; blocks?: unknown[] };
    expect(answer.replace_original).toBe(true);
    expect(JSON.stringify(answer.blocks)).toContain(
      'Done for Sat 27 Mar 2027, 09:00; next Sun 28 Mar 2027, 09:00 by <@U0FIRING>',
    );
  });

  it('Snooze on a reminder brings that reminder back and leaves the series alone', async () => {
    const click = await sendInteraction(
      runtime.baseUrl,
      blockActions(USER, slack.responseUrl('snooze'), {
        action_id: 'reminder_snooze',
        block_id: 'reminder_actions',
        type: 'static_select',
        selected_option: { text: { type: 'plain_text', text: '1 hour' }, value: '1:1h' },
      }),
    );
    expect(click.status).toBe(200);
    const answer = (await slack.waitForResponse('snooze')).body as { blocks?: unknown[] };
    expect(JSON.stringify(answer.blocks)).toContain('Snoozed until Sat 27 Mar 2027, 10:00');
    const task = await runtime.connection.db?.collection('tasks').findOne({ number: 1 });
    expect(task?.nextFireAt).toEqual(new Date('2027-03-27T09:00:00.300Z'));
    expect(task?.dueAt).toEqual(new Date('2027-03-28T07:00:00Z'));
  });
});
