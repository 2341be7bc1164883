import { taskModel } from '../../src/db/models/task';
import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { BUSY_TEXT } from '../../src/slack/admission-middleware';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { blockActions, sendEvent, sendInteraction, viewSubmission } from '../helpers/interactions';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

const NOW = new Date('2026-03-04T09:30:00Z');
const TEAM = 'T0TEST';
const ANA = 'U0ANA';

interface Answer {
  text?: string;
}

/**
 * Admission control through the real app and signed HTTP, with one slot
 * (TASKPILOT_MAX_IN_FLIGHT=1) and next to no wait: every request is acknowledged at once, and
 * every one gets either its real answer or the busy one, within Slack's 3 s; a refused request
 * writes nothing.
 */
describe('admission control under a burst', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };
  let sent = 0;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.answer('users.info', (body) => ({ user: { id: body.user, tz: 'Europe/Berlin', is_admin: false } }));
    runtime = await startTestRuntime({
      mongoUri: uriForDb(uniqueDbName('admission')),
      slackApiUrl: slack.apiUrl,
      env: { TASKPILOT_MAX_IN_FLIGHT: '1', TASKPILOT_ADMISSION_WAIT_MS: '1' },
      extra: { now: () => NOW },
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  const tasksTitled = (prefix: string) =>
    taskModel(runtime.connection).countDocuments({ teamId: TEAM, title: { $regex: `^${prefix}` } });

  const shed = async (kind: string): Promise<number> => {
    const text = await (await fetch(`${runtime.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith(`taskpilot_requests_shed_total{kind="${kind}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  /** Sends `/task <text>`; resolves with how long the ack and the answer took, and the answer. */
  async function task(text: string) {
    const id = `r${++sent}`;
    const started = Date.now();
    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ text, user_id: ANA, team_id: TEAM, response_url: slack.responseUrl(id) }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    const ackMs = Date.now() - started;
    expect(res.status).toBe(200);
    const answer = (await slack.waitForResponse(id, 10_000)).body as Answer;
    return { ackMs, answerMs: Date.now() - started, text: answer.text ?? '' };
  }

  it('tells requests arriving while the one slot is taken that it is busy, on every surface, and writes nothing for them', async () => {
    const shedBefore = await shed('command');
    // The first request takes the slot and holds it while Slack is slow to say who the person is.
    const held = slack.hold('users.info');
    const first = task('held: water the plants tomorrow at 9am');
    await slack.waitForCall('users.info');

    const commands = await Promise.all([1, 2, 3, 4, 5].map((n) => task(`refused ${n}: call the bank tomorrow`)));
    for (const answer of commands) {
      expect(answer.ackMs).toBeLessThan(3000);
      expect(answer.answerMs).toBeLessThan(3000);
      expect(answer.text).toBe(BUSY_TEXT);
    }

    // A button on a message: told through its response URL.
    const buttonStarted = Date.now();
    const button = await sendInteraction(
      runtime.baseUrl,
      blockActions(ANA, slack.responseUrl('button'), {
        action_id: 'task_done',
        block_id: 'b',
        type: 'button',
        value: '1',
      }),
    );
    expect(button.status).toBe(200);
    expect(((await slack.waitForResponse('button')).body as Answer).text).toBe(BUSY_TEXT);
    expect(Date.now() - buttonStarted).toBeLessThan(3000);

    // A form: the answer is its ack, the note on its first field, so the form stays open.
    const form = await runtime.services.forms.newForm('Europe/Berlin');
    const firstInput = form.blocks.find((block) => block.type === 'input')?.block_id;
    const submitted = await sendInteraction(
      runtime.baseUrl,
      viewSubmission(TEAM, ANA, { ...form, hash: 'h', state: { values: {} } }),
    );
    expect(submitted.status).toBe(200);
    expect(await submitted.json()).toEqual({
      response_action: 'errors',
      errors: { [firstInput as string]: BUSY_TEXT },
    });

    // A mention: told in its thread.
    const mention = await sendEvent(
      runtime.baseUrl,
      TEAM,
      { type: 'app_mention', user: ANA, text: '<@U0BOT> list', channel: 'C0TEST', ts: '1700000000.000100' },
      { eventId: 'EvBusy1', eventTime: NOW },
    );
    expect(mention.status).toBe(200);
    const reply = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.body.text === BUSY_TEXT && call.body.thread_ts === '1700000000.000100',
    );
    expect(reply.body.channel).toBe('C0TEST');

    held.release();
    const answered = await first;
    expect(answered.text).toContain('held: water the plants');
    expect(await tasksTitled('held:')).toBe(1);
    expect(await tasksTitled('refused')).toBe(0);
    expect((await shed('command')) - shedBefore).toBe(5);
    expect(await shed('block_actions')).toBe(1);
    expect(await shed('view_submission')).toBe(1);
    expect(await shed('event')).toBe(1);

    // With the slot free again, the next request is served.
    expect((await task('after: pay the rent tomorrow at noon')).text).toContain('after: pay the rent');
  });

  it('answers every request of a burst, created or busy, within 3 s, and stores exactly the created ones', async () => {
    const burst = await Promise.all(Array.from({ length: 30 }, (_, n) => task(`burst ${n}: stretch tomorrow at 10am`)));
    const busy = burst.filter((answer) => answer.text === BUSY_TEXT);
    const created = burst.filter((answer) => /^Task #\d+ created: burst \d+/.test(answer.text));
    expect(busy.length + created.length).toBe(30);
    expect(created.length).toBeGreaterThan(0);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of burst) {
      expect(answer.ackMs).toBeLessThan(3000);
      expect(answer.answerMs).toBeLessThan(3000);
    }
    expect(await tasksTitled('burst')).toBe(created.length);
  });
});
