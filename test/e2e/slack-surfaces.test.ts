import type { HomeView, ModalView } from '@slack/types';
import { taskModel } from '../../src/db/models/task';
import { FakeSlack, type RecordedCall } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import { JobNames } from '../../src/reminders/reminder-schedule';
import type { Runtime } from '../../src/runtime';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { NewTask } from '../../src/tasks/task-service';
import { FormBlocks, FormInputs } from '../../views/ids';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { blockActions, sendEvent as postEvent, sendInteraction, viewSubmission } from '../helpers/interactions';
import { capturingLogger } from '../helpers/logger';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

const NOW = new Date('2026-03-04T09:30:00Z'); // Wednesday 10:30 in Berlin
const TEAM = 'T0TEST';
const ANA = 'U0ANA';
const BEN = 'U0BEN';

let eventSeq = 0;

describe('Slack surfaces through signed requests', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };
  let log: ReturnType<typeof capturingLogger>;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    log = capturingLogger('info');
    runtime = await startTestRuntime({
      mongoUri: uriForDb(uniqueDbName('slack_surfaces')),
      slackApiUrl: slack.apiUrl,
      logger: log.logger,
      extra: { now: () => NOW },
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  const tasks = () => taskModel(runtime.connection);
  /** A task made directly through the service (the request paths are tested on their own). */
  const makeTask = (title: string, overrides: Partial<NewTask> = {}) =>
    runtime.services.tasks.create({
      teamId: TEAM,
      creatorId: ANA,
      title,
      assignees: [],
      channelId: null,
      dueAt: null,
      tz: 'Europe/Berlin',
      recurrence: null,
      source: { kind: 'command' },
      ...overrides,
    });
  /** Moves a one-off task's time to just now, as if the clock had reached it. */
  const dueNow = (id: unknown) => {
    const at = new Date(NOW.getTime() - 1000);
    return tasks().updateOne({ _id: id }, { $set: { dueAt: at, nextFireAt: at } });
  };

  /** An Events API delivery, signed; `retryNum` marks it as Slack's retry of the same event. */
  async function sendEvent(event: Record<string, unknown>, options: { eventId?: string; retryNum?: number } = {}) {
    const eventId = options.eventId ?? `Ev${++eventSeq}`;
    const headers: Record<string, string> =
      options.retryNum !== undefined
        ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {};
    const res = await postEvent(runtime.baseUrl, TEAM, event, { eventId, eventTime: NOW, headers });
    expect(res.status).toBe(200);
    return eventId;
  }

  function callsSince(start: number, method: string, match: (call: RecordedCall) => boolean = () => true) {
    return slack.calls.slice(start).filter((call) => call.method === method && match(call));
  }

  /** Waits for a views.open made after `start`, and returns the modal it opened. */
  async function openedView(start: number): Promise<ModalView> {
    const call = await slack.waitForCall('views.open', (c) => slack.calls.indexOf(c) >= start);
    return call.body.view as ModalView;
  }

  /** The global "Create a task" shortcut, clicked by Ana: returns the form it opened. */
  async function openCreateShortcut(triggerId: string): Promise<ModalView> {
    const start = slack.calls.length;
    const res = await sendInteraction(runtime.baseUrl, {
      type: 'shortcut',
      callback_id: 'create_task',
      trigger_id: triggerId,
      team: { id: TEAM, domain: 'test' },
      user: { id: ANA, team_id: TEAM },
      api_app_id: 'A0TEST',
    });
    expect(res.status).toBe(200);
    return openedView(start);
  }

  function formValues(fields: {
    title?: string;
    date?: string;
    time?: string;
    repeat?: string;
    assignees?: string[];
  }): Record<string, Record<string, unknown>> {
    return {
      [FormBlocks.title]: { [FormInputs.title]: { type: 'plain_text_input', value: fields.title ?? '' } },
      [FormBlocks.notes]: { [FormInputs.notes]: { type: 'plain_text_input', value: null } },
      [FormBlocks.assignees]: {
        [FormInputs.assignees]: { type: 'multi_users_select', selected_users: fields.assignees ?? [] },
      },
      [FormBlocks.channel]: { [FormInputs.channel]: { type: 'conversations_select', selected_conversation: null } },
      [FormBlocks.date]: { [FormInputs.date]: { type: 'datepicker', selected_date: fields.date ?? null } },
      [FormBlocks.time]: { [FormInputs.time]: { type: 'timepicker', selected_time: fields.time ?? null } },
      [FormBlocks.repeat]: {
        [FormInputs.repeat]: { type: 'static_select', selected_option: { value: fields.repeat ?? 'none' } },
      },
      [FormBlocks.customRepeat]: { [FormInputs.customRepeat]: { type: 'plain_text_input', value: null } },
    };
  }

  function submit(view: ModalView, user: string, values: Record<string, Record<string, unknown>>) {
    return sendInteraction(
      runtime.baseUrl,
      viewSubmission(TEAM, user, {
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        hash: 'h1',
        blocks: view.blocks,
        state: { values },
      }),
    );
  }

  it('publishes the home tab on app_home_opened, overdue and missed tasks marked, each with its menu', async () => {
    const later = await makeTask('home: renew the domain', { dueAt: new Date('2026-03-10T08:00:00Z') });
    const overdue = await makeTask('home: file the expenses', { dueAt: new Date('2026-03-05T08:00:00Z') });
    // Came due while nobody was watching: overdue, and marked missed.
    await tasks().updateOne(
      { _id: overdue._id },
      {
        $set: {
          dueAt: new Date('2026-03-01T08:00:00Z'),
          nextFireAt: null,
          missed: { at: new Date('2026-03-01T08:00:00Z'), count: 1, postedLate: false },
        },
      },
    );
    await runtime.services.background.idle(); // the refreshes the creates started
    const start = slack.calls.length;
    await sendEvent({ type: 'app_home_opened', user: ANA, channel: 'D0ANA', tab: 'home', event_ts: '1.1' });
    const call = await slack.waitForCall(
      'views.publish',
      (c) => slack.calls.indexOf(c) >= start && c.body.user_id === ANA,
    );
    const view = call.body.view as HomeView;
    expect(view.type).toBe('home');
    const text = JSON.stringify(view.blocks);
    // Due order: the overdue one first.
    expect(text.indexOf('home: file the expenses')).toBeLessThan(text.indexOf('home: renew the domain'));
    expect(text).toContain('overdue');
    expect(text).toContain('missed while TaskPilot was down');
    expect(text).toContain(`task_menu_${overdue.number}`);
    expect(text).toContain(`task_menu_${later.number}`);
    expect(text).toContain('task_new_open');
  });

  it('refreshes the home tab after a change made from it (Done in the task menu)', async () => {
    const task = await makeTask('home: water the office plants', {
      creatorId: BEN,
      dueAt: new Date('2026-03-06T08:00:00Z'),
    });
    await runtime.services.background.idle();
    const start = slack.calls.length;
    const res = await sendInteraction(runtime.baseUrl, {
      ...blockActions(BEN, slack.responseUrl('unused-home'), {
        action_id: `task_menu_${task.number}`,
        block_id: 'b',
        type: 'overflow',
        selected_option: { value: `done:${task.number}` },
      }),
      response_url: undefined,
      view: { id: 'V0HOME', type: 'home' },
    });
    expect(res.status).toBe(200);
    await eventually(async () => (await tasks().findById(task._id))?.status === 'done', 'task closed from home');
    const published = await slack.waitForCall(
      'views.publish',
      (c) => slack.calls.indexOf(c) >= start && c.body.user_id === BEN,
    );
    expect(JSON.stringify(published.body.view)).not.toContain('home: water the office plants');
  });

  it('global shortcut → New task form → submission stores the task and confirms it by DM', async () => {
    const view = await openCreateShortcut('1.2.shortcut');
    expect(view.callback_id).toBe('task_form');
    expect(JSON.stringify(view.blocks)).toContain(FormBlocks.title);

    const submitted = await submit(
      view,
      ANA,
      formValues({
        title: 'Write the quarterly report',
        date: '2026-03-06',
        time: '14:00',
        repeat: 'weekly',
        assignees: [BEN],
      }),
    );
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toBe('');
    const stored = await eventually(
      () => tasks().findOne({ teamId: TEAM, title: 'Write the quarterly report' }),
      'task from the form stored',
    );
    expect(stored.dueAt?.toISOString()).toBe('2026-03-06T13:00:00.000Z'); // Friday 14:00 in Berlin
    expect(stored.recurrence?.rrule).toContain('FREQ=WEEKLY;BYDAY=FR');
    expect(stored.assignees).toEqual([BEN]);
    expect(stored.source.kind).toBe('modal');
    const confirmation = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.body.channel === ANA && String(c.body.text).includes('Write the quarterly report'),
    );
    expect(String(confirmation.body.text)).toBe(`Task #${stored.number} created: Write the quarterly report`);
    // The assignee is told, with Done and Snooze.
    const assigned = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.body.channel === 'D0BEN' && String(c.body.text).includes('Write the quarterly report'),
    );
    expect(JSON.stringify(assigned.body.blocks)).toContain('task_done');
    expect(JSON.stringify(assigned.body.blocks)).toContain('task_snooze');
  });

  it('refreshes the form’s preview of the next runs as the repeat changes (views.update)', async () => {
    const view = await openCreateShortcut('1.2.preview');
    const res = await sendInteraction(runtime.baseUrl, {
      ...blockActions(ANA, slack.responseUrl('unused-preview'), {
        action_id: FormInputs.repeat,
        block_id: FormBlocks.repeat,
        type: 'static_select',
        selected_option: { value: 'daily' },
      }),
      response_url: undefined,
      view: {
        id: 'V0FORM',
        hash: 'h-preview',
        type: 'modal',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: formValues({ title: 'stretch', date: '2026-03-05', time: '07:30', repeat: 'daily' }) },
      },
    });
    expect(res.status).toBe(200);
    const update = await slack.waitForCall('views.update', (c) => c.body.view_id === 'V0FORM');
    const preview = JSON.stringify((update.body.view as ModalView).blocks);
    for (const run of ['Thu 5 Mar 2026, 07:30', 'Fri 6 Mar 2026, 07:30', 'Sat 7 Mar 2026, 07:30']) {
      expect(preview).toContain(run);
    }
    expect(preview).toContain('every day');
  });

  it('/task edit N opens the Edit form on the task; saving a new title keeps its schedule', async () => {
    const task = await makeTask('edit: draft the newsletter', { dueAt: new Date('2026-03-11T08:00:00Z') });
    const start = slack.calls.length;
    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ text: `edit ${task.number}`, user_id: ANA, response_url: slack.responseUrl('edit-cmd') }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const view = await openedView(start);
    expect(view.title.text).toBe(`Edit task #${task.number}`);
    const opened = JSON.stringify(view.blocks);
    expect(opened).toContain('"initial_value":"edit: draft the newsletter"');
    expect(opened).toContain('"initial_date":"2026-03-11"');
    expect(opened).toContain('"initial_time":"09:00"');

    await submit(
      view,
      ANA,
      formValues({ title: 'edit: draft and send the newsletter', date: '2026-03-11', time: '09:00' }),
    );
    const edited = await eventually(async () => {
      const found = await tasks().findById(task._id);
      return found?.title === 'edit: draft and send the newsletter' ? found : null;
    }, 'title edited from the form');
    expect(edited.dueAt?.toISOString()).toBe('2026-03-11T08:00:00.000Z');
    await slack.waitForCall(
      'chat.postMessage',
      (c) => c.body.channel === ANA && String(c.body.text) === `Task #${task.number} edited`,
    );
  });

  it('shows invalid form input next to the inputs (response_action: errors) and stores nothing', async () => {
    const view = await openCreateShortcut('1.2.invalid');
    const before = await tasks().countDocuments({ teamId: TEAM });
    const res = await submit(view, ANA, formValues({ title: '   ', date: '2026-03-01', time: '08:00' }));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(answer.errors[FormBlocks.title]).toMatch(/What should the task be/);
    expect(answer.errors[FormBlocks.date]).toMatch(/already passed/);
    expect(await tasks().countDocuments({ teamId: TEAM })).toBe(before);
  });

  it('message shortcut fills the form from the message and keeps its permalink through to the reminder', async () => {
    const start = slack.calls.length;
    await sendInteraction(runtime.baseUrl, {
      type: 'message_action',
      callback_id: 'task_from_message',
      trigger_id: '1.2.message',
      team: { id: TEAM, domain: 'test' },
      user: { id: ANA, team_id: TEAM },
      channel: { id: 'C0SRC', name: 'design' },
      message_ts: '1772600000.000200',
      message: { type: 'message', user: BEN, ts: '1772600000.000200', text: 'Review the Q3 deck\nIt is in the drive.' },
      response_url: slack.responseUrl('msg-shortcut'),
      api_app_id: 'A0TEST',
    });
    const view = await openedView(start);
    const permalink = 'https://test.slack.com/archives/C0SRC/p1772600000000200';
    expect(JSON.stringify(view.blocks)).toContain('Review the Q3 deck');
    expect(JSON.parse(view.private_metadata ?? '{}').permalink).toBe(permalink);

    await submit(view, ANA, formValues({ title: 'Review the Q3 deck', date: '2026-03-05', time: '09:00' }));
    const stored = await eventually(
      () => tasks().findOne({ teamId: TEAM, title: 'Review the Q3 deck' }),
      'task from the message stored',
    );
    expect(stored.source).toMatchObject({ kind: 'shortcut', permalink, channelId: 'C0SRC' });

    // Its reminder links back to the message.
    await dueNow(stored._id);
    await runtime.services.reminders.fire(String(stored._id), { touch: async () => {} });
    const reminder = await slack.waitForCall('chat.postMessage', (c) =>
      String(c.body.text).startsWith(`Reminder: #${stored.number}`),
    );
    expect(JSON.stringify(reminder.body.blocks)).toContain(permalink);
  });

  it('Done on an assignment notice closes the task and replaces the message: struck through, who and when', async () => {
    const task = await makeTask('notice: sign the contract', {
      dueAt: new Date('2026-03-07T08:00:00Z'),
      assignees: [BEN],
    });
    const notice = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.body.channel === 'D0BEN' && String(c.body.text).includes('notice: sign the contract'),
    );
    expect(JSON.stringify(notice.body.blocks)).toContain('task_done');
    const res = await sendInteraction(
      runtime.baseUrl,
      blockActions(BEN, slack.responseUrl('notice-done'), {
        action_id: 'task_done',
        block_id: 'task_notice_actions',
        type: 'button',
        value: String(task.number),
      }),
    );
    expect(res.status).toBe(200);
    const replaced = (await slack.waitForResponse('notice-done')).body as {
      replace_original: boolean;
      blocks: unknown[];
    };
    expect(replaced.replace_original).toBe(true);
    const text = JSON.stringify(replaced.blocks);
    expect(text).toContain('~notice: sign the contract~');
    expect(text).toContain(`<@${BEN}>`);
    expect(text).toContain('Wed 4 Mar 2026, 10:30');
    expect((await tasks().findById(task._id))?.status).toBe('done');
    // The creator hears that the assignee finished it.
    const told = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.body.channel === 'D0ANA' && JSON.stringify(c.body.blocks).includes('completed'),
    );
    expect(JSON.stringify(told.body.blocks)).toContain('notice: sign the contract');
  });

  it('answers a mention in the thread of the message; reminders of that task go to that thread', async () => {
    await sendEvent({
      type: 'app_mention',
      user: ANA,
      text: '<@U0BOT> remind me to call the bank tomorrow at 3pm',
      channel: 'C0TEAM',
      ts: '1772617000.000100',
      event_ts: '1772617000.000100',
    });
    const reply = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.body.channel === 'C0TEAM' && c.body.thread_ts === '1772617000.000100',
    );
    expect(String(reply.body.text)).toMatch(/^Task #\d+ created: call the bank$/);
    const stored = await eventually(() => tasks().findOne({ teamId: TEAM, title: 'call the bank' }), 'mention task');
    expect(stored.source).toMatchObject({ kind: 'mention', channelId: 'C0TEAM', threadTs: '1772617000.000100' });
    expect(stored.dueAt?.toISOString()).toBe('2026-03-05T14:00:00.000Z');

    await dueNow(stored._id);
    await runtime.services.reminders.fire(String(stored._id), { touch: async () => {} });
    const reminder = await slack.waitForCall('chat.postMessage', (c) =>
      String(c.body.text).startsWith(`Reminder: #${stored.number}`),
    );
    expect(reminder.body).toMatchObject({ channel: 'C0TEAM', thread_ts: '1772617000.000100' });
  });

  it('answers a DM in its thread, and ignores bot messages and edits', async () => {
    const start = slack.calls.length;
    const dm = { channel: 'D0ANA', channel_type: 'im' };
    await sendEvent({
      type: 'message',
      ...dm,
      user: 'U0OTHERBOT',
      bot_id: 'B0OTHER',
      text: 'remind me to spam at 5pm',
      ts: '1772617100.000001',
    });
    await sendEvent({
      type: 'message',
      ...dm,
      subtype: 'message_changed',
      message: { user: ANA, text: 'remind me to edit things at 5pm' },
      ts: '1772617100.000002',
    });
    await sendEvent({ type: 'message', ...dm, user: ANA, text: 'list', ts: '1772617100.000003' });
    const reply = await slack.waitForCall(
      'chat.postMessage',
      (c) => slack.calls.indexOf(c) >= start && c.body.channel === 'D0ANA' && c.body.thread_ts === '1772617100.000003',
    );
    expect(String(reply.body.text)).toMatch(/^Your open tasks/);
    const replies = callsSince(
      start,
      'chat.postMessage',
      (c) => c.body.channel === 'D0ANA' && Boolean(c.body.thread_ts),
    );
    expect(replies).toHaveLength(1);
    expect(await tasks().countDocuments({ title: { $in: ['spam', 'edit things'] } })).toBe(0);
  });

  it('the same event delivered three times has one effect: one task, one reply', async () => {
    const start = slack.calls.length;
    const event = {
      type: 'app_mention',
      user: BEN,
      text: '<@U0BOT> order new chairs on Friday',
      channel: 'C0TEAM',
      ts: '1772617200.000100',
      event_ts: '1772617200.000100',
    };
    const eventId = await sendEvent(event);
    await sendEvent(event, { eventId, retryNum: 1 });
    await sendEvent(event, { eventId, retryNum: 2 });
    await eventually(
      async () =>
        log
          .lines()
          .filter((line) => line.msg === 'slack event already handled; ignoring the copy' && line.eventId === eventId)
          .length === 2,
      'both copies ignored',
    );
    await slack.waitForCall('chat.postMessage', (c) => c.body.thread_ts === '1772617200.000100');
    expect(await tasks().countDocuments({ teamId: TEAM, title: 'order new chairs' })).toBe(1);
    expect(callsSince(start, 'chat.postMessage', (c) => c.body.thread_ts === '1772617200.000100')).toHaveLength(1);
  });

  it('app_uninstalled cancels the workspace’s jobs and nothing more is posted there', async () => {
    const task = await makeTask('lifecycle: pay the invoice', { dueAt: new Date('2026-03-08T08:00:00Z') });
    const jobs = runtime.connection.db?.collection(Scheduler.COLLECTION);
    expect(await jobs?.countDocuments({ name: JobNames.fireReminder, 'data.taskId': String(task._id) })).toBe(1);
    await runtime.services.digests.set(TEAM, ANA, true, 'Europe/Berlin');

    await sendEvent({ type: 'app_uninstalled', event_ts: '1772617300.000100' });
    await eventually(() => runtime.services.workspaces.isRevoked(TEAM), 'workspace revoked');
    expect(await jobs?.countDocuments({ 'data.teamId': TEAM })).toBe(0);

    const start = slack.calls.length;
    // A reminder that still came due (a job already running), a new assignment, a home refresh:
    // none of them reaches Slack.
    await dueNow(task._id);
    await runtime.services.reminders.fire(String(task._id), { touch: async () => {} });
    await makeTask('lifecycle: after the uninstall', {
      dueAt: new Date('2026-03-09T08:00:00Z'),
      assignees: [BEN],
      channelId: 'C0TEAM',
    });
    await runtime.services.background.idle();
    expect(callsSince(start, 'chat.postMessage')).toHaveLength(0);
    expect(callsSince(start, 'views.publish')).toHaveLength(0);

    // Any request from the workspace again (a reinstall) lifts the mark and brings the digest back.
    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ text: 'list', user_id: ANA, response_url: slack.responseUrl('after-reinstall') }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    await slack.waitForResponse('after-reinstall');
    expect(await runtime.services.workspaces.isRevoked(TEAM)).toBe(false);
    expect(await jobs?.countDocuments({ name: JobNames.sendDigest, 'data.userId': ANA })).toBe(1);
  });
});
