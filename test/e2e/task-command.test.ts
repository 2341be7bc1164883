import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { blockActions, sendInteraction } from '../helpers/interactions';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

const NOW = new Date('2026-03-04T09:30:00Z'); // Wednesday 10:30 in Berlin
const CREATOR = 'U0CREATOR';
const OTHER = 'U0OTHER';
const ADMIN = 'U0ADMIN';

interface Answer {
  text?: string;
  blocks?: unknown[];
  replace_original?: boolean;
}

describe('/task through signed requests', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };
  let sent = 0;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.answer('users.info', (body) => ({
      user: { id: body.user, tz: 'Europe/Berlin', is_admin: body.user === ADMIN, is_owner: false },
    }));
    runtime = await startTestRuntime({
      mongoUri: uriForDb(uniqueDbName('task_command')),
      slackApiUrl: slack.apiUrl,
      extra: { now: () => NOW },
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  /** Sends `/task <text>` and returns what the app answered through the response URL. */
  async function task(text: string, user = CREATOR, team = 'T0TEST'): Promise<Answer & { all: string }> {
    const id = `r${++sent}`;
    const started = Date.now();
    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ text, user_id: user, team_id: team, response_url: slack.responseUrl(id) }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    const body = (await slack.waitForResponse(id)).body as Answer;
    return { ...body, all: `${body.text ?? ''}\n${JSON.stringify(body.blocks ?? [])}` };
  }

  async function click(actionId: string, value: string, user = CREATOR): Promise<Answer & { all: string }> {
    const id = `b${++sent}`;
    const res = await sendInteraction(
      runtime.baseUrl,
      blockActions(user, slack.responseUrl(id), { action_id: actionId, block_id: 'b', type: 'button', value }),
    );
    expect(res.status).toBe(200);
    const body = (await slack.waitForResponse(id)).body as Answer;
    return { ...body, all: `${body.text ?? ''}\n${JSON.stringify(body.blocks ?? [])}` };
  }

  it('creates a recurring task and confirms it in the person’s words and zone', async () => {
    const answer = await task('water the plants every Monday at 9am');
    expect(answer.text).toBe('Task #1 created: water the plants');
    expect(answer.all).toContain('every Monday at 09:00, Europe/Berlin');
    expect(answer.all).toContain('Mon 9 Mar 2026, 09:00');
    expect(answer.all).toContain('Mon 16 Mar 2026, 09:00');
    expect(answer.all).toContain('Mon 23 Mar 2026, 09:00');
    expect(answer.all).toContain('task_undo_create');
    expect(answer.all).toContain('task_edit');
  });

  it('flags runs after a DST change', async () => {
    const answer = await task('stand-up every day at 9:15');
    expect(answer.all).not.toContain('clocks change');
    const far = await task('quarterly check every month on the 1st');
    // 1 April is after Berlin's switch to summer time on 29 March.
    expect(far.all).toMatch(/Wed 1 Apr 2026, 09:00 _\(after the clocks change: UTC\+02:00\)_/);
  });

  it('offers times instead of guessing when none was given', async () => {
    const answer = await task('buy milk');
    expect(answer.text).toMatch(/^Task #\d+ created: buy milk$/);
    expect(answer.all).toContain("I didn't see a time");
    expect(answer.all).toContain('This evening 18:00');
    expect(answer.all).toContain('Tomorrow 09:00');
    const number = Number(/#(\d+)/.exec(answer.text ?? '')?.[1]);
    const value = JSON.stringify({ n: number, at: '2026-03-05T08:00:00.000Z' });
    const chosen = await click('task_set_due_1', value);
    expect(chosen.replace_original).toBe(true);
    expect(chosen.all).toContain('next Thu 5 Mar 2026, 09:00');
  });

  it('lists, completes, reopens, snoozes, edits and deletes', async () => {
    const created = await task('send the report tomorrow at 5pm');
    const number = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    expect(created.all).toContain('Thu 5 Mar 2026, 17:00');

    const list = await task('list');
    expect(list.all).toContain(`*#${number}* send the report`);
    expect(list.all).toContain('water the plants');

    expect((await task(`done ${number}`)).all).toContain(`~send the report~`);
    expect((await task(`reopen #${number}`)).all).toContain('Reopened');
    expect((await task(`snooze ${number} 1 hour`)).all).toContain('Snoozed until Wed 4 Mar 2026, 11:30');
    expect((await task(`edit ${number} send the final report at 6pm`)).all).toMatch(
      /Updated, next Wed 4 Mar 2026, 18:00.*send the final report/,
    );
    const deleted = await task(`delete ${number}`);
    expect(deleted.all).toContain('Deleted');
    expect(deleted.all).toContain('task_restore');
    expect((await task('list')).all).not.toContain('send the final report');
  });

  it('refuses someone else’s task, an unknown number and another workspace’s task', async () => {
    const created = await task('review the budget on Friday');
    const number = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    expect((await task(`done ${number}`, OTHER)).text).toBe(
      `Only the person who created #${number}, someone it is assigned to, or a workspace admin can change it.`,
    );
    expect((await task('done 9999')).text).toContain("I can't find task #9999 in this workspace");
    expect((await task(`done ${number}`, CREATOR, 'T0ELSEWHERE')).text).toContain(`I can't find task #${number}`);
    expect((await task(`done ${number}`, ADMIN)).all).toContain('Done');
  });

  it('lets an assignee complete a task assigned to them', async () => {
    const created = await task(`remind <@${OTHER}> to send the slides tomorrow at noon`);
    expect(created.all).toContain(`<@${OTHER}>`);
    const number = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    expect((await task(`done ${number}`, OTHER)).all).toContain('Done');
  });

  it('answers bad input kindly and writes nothing', async () => {
    const before = await runtime.connection.db?.collection('tasks').countDocuments();
    expect((await task('at 5pm')).text).toContain('I see a time but not what to do');
    expect((await task('x'.repeat(2001))).text).toBe("That's 2001 characters; a task request can have up to 2000.");
    expect((await task('done')).text).toContain('Which task? Give its number');
    expect((await task('snooze 1')).text).toContain('Until when?');
    expect((await task('list nonsense')).text).toContain('I can list');
    expect(await runtime.connection.db?.collection('tasks').countDocuments()).toBe(before);
  });

  it('keeps operator-looking text as a plain title', async () => {
    const answer = await task('{"$gt": ""} tomorrow');
    expect(answer.text).toMatch(/created: \{"\$gt": ""\}$/);
  });

  it('undoes a creation from its button', async () => {
    const created = await task('temporary thing at 4pm');
    const number = /#(\d+)/.exec(created.text ?? '')?.[1] ?? '';
    const undone = await click('task_undo_create', number);
    expect(undone.replace_original).toBe(true);
    expect(undone.all).toContain('Deleted');
    expect((await task('list')).all).not.toContain('temporary thing');
    expect((await click('task_undo_create', number, OTHER)).text).toContain("I can't find task");
  });
});
