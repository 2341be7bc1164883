import { deliveryModel } from '../../../src/db/models/delivery';
import { taskModel } from '../../../src/db/models/task';
import { parseWithFallbackParser } from '../../../src/parse';
import { advanceById, CHANGED } from '../../../src/reminders/advance-by-id';
import { Scheduler } from '../../../src/scheduler/scheduler';
import { toSummary } from '../../../src/tasks/task-commands';
import type { TaskService } from '../../../src/tasks/task-service';
import { buildTaskList } from '../../../views/task';
import { capturingLogger } from '../../helpers/logger';
import { newTask, noTouch, type ReminderHarness, startReminderHarness, TEAM } from '../../helpers/reminders';

const BERLIN = 'Europe/Berlin';
// An admin may change anyone's task; permissions have their own tests.
const creator = { teamId: TEAM, userId: 'U0ADMIN', isAdmin: true };

/** A rule as /task would store it: parsed at `now` in Berlin. */
function parsed(text: string, now: Date) {
  const result = parseWithFallbackParser(text, { now, tz: BERLIN });
  if (!result.dueAt) throw new Error(`no time in ${text}`);
  return { dueAt: new Date(result.dueAt), recurrence: result.recurrence, occurrences: result.occurrences };
}

describe('ReminderService on the MongoDB-wire server', () => {
  let h: ReminderHarness;
  let tasks: TaskService;

  beforeAll(async () => {
    h = await startReminderHarness('reminders', { start: '2027-01-11T07:00:00Z' });
    tasks = h.services.tasks;
  });
  afterAll(() => h.cleanup());

  const jobOf = async (taskId: unknown) =>
    h.database.connection.db
      ?.collection(Scheduler.COLLECTION)
      .findOne({ name: 'reminder.fire', 'data.taskId': String(taskId) });
  /** Notices about task changes (an assignment, a channel task, a teammate's delete) run in the background. */
  const isNotice = (text: string) => text.startsWith('New task') || text.endsWith('by a teammate');
  /** What reminders posted there; the notices that go to the same places are not counted. */
  const postsTo = (channel: string) =>
    h.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.body.channel === channel && !isNotice(String(call.body.text)));
  const reload = async (number: number) => taskModel(h.database.connection).findOne({ teamId: TEAM, number });
  /** Fires the task as its job would; resolves to when the task fires next (or a busy lease ends). */
  const fire = async (taskId: unknown) => {
    const outcome = await h.services.reminders.fire(String(taskId), noTouch);
    return outcome.kind === 'busy' ? outcome.until : outcome.next;
  };
  /** Where a task's job stands: the backstop after the task's fire time. */
  const backstop = (fireAt: string) => new Date(new Date(fireAt).getTime() + h.config.jobs.backstopMs);

  it('fires a one-off reminder once, in the DM, with Done, Snooze and Edit', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const task = await tasks.create(
      newTask({ title: 'one-off DM', creatorId: 'U0ONEOFF', dueAt: new Date('2027-01-11T08:00:00Z') }),
    );
    expect((await jobOf(task._id))?.nextRunAt).toEqual(backstop('2027-01-11T08:00:00Z'));
    // The job's id is the task's: every write to it is by _id.
    expect(String((await jobOf(task._id))?._id)).toBe(String(task._id));

    h.clock.set('2027-01-11T08:00:00.200Z');
    expect(await fire(task._id)).toBeNull();
    expect(await fire(task._id)).toBeNull();
    const posts = postsTo('D0ONEOFF');
    expect(posts).toHaveLength(1);
    const blocks = JSON.stringify(posts[0]?.body.blocks);
    expect(blocks).toContain('reminder_done');
    expect(blocks).toContain('reminder_snooze');
    expect(blocks).toContain('task_edit');
    expect(blocks).toContain('one-off DM');
    expect(posts[0]?.body.metadata).toMatchObject({ event_type: 'taskpilot_reminder' });
    const stored = await reload(task.number);
    expect(stored?.nextFireAt).toBeNull();
    expect(stored?.firedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    const deliveries = await deliveryModel(h.database.connection).find({ taskId: task._id });
    expect(deliveries.map((delivery) => delivery.state)).toEqual(['sent']);
  });

  it('sends to every assignee, and into the channel or thread the task names', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const due = new Date('2027-01-11T08:00:00Z');
    const assigned = await tasks.create(newTask({ title: 'for two', assignees: ['U0ANNA', 'U0BEN'], dueAt: due }));
    const inChannel = await tasks.create(newTask({ title: 'in a channel', channelId: 'C0TEAM', dueAt: due }));
    const inThread = await tasks.create(
      newTask({
        title: 'in a thread',
        dueAt: due,
        source: { kind: 'mention', channelId: 'C0THREADS', threadTs: '1700000000.000100' },
      }),
    );
    h.clock.set('2027-01-11T08:00:01Z');
    for (const task of [assigned, inChannel, inThread]) await fire(task._id);
    expect(postsTo('D0ANNA')).toHaveLength(1);
    expect(postsTo('D0BEN')).toHaveLength(1);
    expect(postsTo('C0TEAM')).toHaveLength(1);
    const threaded = postsTo('C0THREADS');
    expect(threaded).toHaveLength(1);
    expect(threaded[0]?.body.thread_ts).toBe('1700000000.000100');
  });

  it('moves a recurring task to its next occurrence after each firing', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const rule = parsed('stand-up every weekday at 9am', now);
    const task = await tasks.create(newTask({ title: 'stand-up', creatorId: 'U0DAILY', ...rule }));
    h.clock.set('2027-01-11T08:00:00.100Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-12T08:00:00Z'));
    h.clock.set('2027-01-12T08:00:00.100Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-13T08:00:00Z'));
    expect(postsTo('D0DAILY')).toHaveLength(2);
    const stored = await reload(task.number);
    expect(stored?.status).toBe('open');
    expect(stored?.dueAt).toEqual(new Date('2027-01-13T08:00:00Z'));
  });

  it('snoozes one occurrence and leaves the series alone', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const task = await tasks.create(
      newTask({ title: 'daily pills', creatorId: 'U0SNOOZE', ...parsed('pills every day at 9am', now) }),
    );
    // Snoozed after it fired: the reminder comes back, the series keeps 09:00.
    h.clock.set('2027-01-11T08:00:00.100Z');
    await fire(task._id);
    const snoozed = await tasks.snooze(creator, task.number, new Date('2027-01-11T08:20:00Z'));
    expect(snoozed.nextFireAt).toEqual(new Date('2027-01-11T08:20:00Z'));
    expect(snoozed.dueAt).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect((await jobOf(task._id))?.nextRunAt).toEqual(backstop('2027-01-11T08:20:00Z'));
    h.clock.set('2027-01-11T08:20:00.100Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(postsTo('D0SNOOZE')).toHaveLength(2);
    expect(JSON.stringify(postsTo('D0SNOOZE')[1]?.body.blocks)).toContain('Again, as asked');

    // Once that reminder is done, a snooze before the next one fires moves that occurrence to
    // 10:00; the day after stays at 09:00.
    h.clock.set('2027-01-12T07:00:00Z');
    await tasks.complete(creator, task.number);
    const moved = await tasks.snooze(creator, task.number, new Date('2027-01-12T09:00:00Z'));
    expect(moved.nextFireAt).toEqual(new Date('2027-01-12T09:00:00Z'));
    h.clock.set('2027-01-12T08:00:00.100Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-12T09:00:00Z'));
    h.clock.set('2027-01-12T09:00:00.100Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-13T08:00:00Z'));
    expect(postsTo('D0SNOOZE')).toHaveLength(3);
  });

  it('done closes a one-off task and cancels its job; on a recurring task it closes one occurrence; stop ends it', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const oneOff = await tasks.create(newTask({ title: 'file taxes', dueAt: new Date('2027-01-11T10:00:00Z') }));
    await tasks.complete(creator, oneOff.number);
    expect(await jobOf(oneOff._id)).toBeNull();
    expect(await fire(oneOff._id)).toBeNull();

    const recurring = await tasks.create(
      newTask({ title: 'water', creatorId: 'U0DONE', ...parsed('water every day at 9am', now) }),
    );
    h.clock.set('2027-01-11T08:00:00.100Z');
    await fire(recurring._id);
    const closed = await tasks.complete(creator, recurring.number);
    expect(closed.status).toBe('open');
    expect(closed.closedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    expect(closed.nextFireAt).toEqual(new Date('2027-01-12T08:00:00Z'));
    // Done again before the next reminder skips that occurrence.
    const skipped = await tasks.complete(creator, recurring.number);
    expect(skipped.nextFireAt).toEqual(new Date('2027-01-13T08:00:00Z'));
    expect((await jobOf(recurring._id))?.nextRunAt).toEqual(backstop('2027-01-13T08:00:00Z'));

    const stopped = await tasks.stop(creator, recurring.number);
    expect(stopped.status).toBe('done');
    expect(await jobOf(recurring._id)).toBeNull();
  });

  it('delete cancels the job and edit reschedules it', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const deleted = await tasks.create(
      newTask({ title: 'to delete', creatorId: 'U0DEL', dueAt: new Date('2027-01-11T08:00:00Z') }),
    );
    await tasks.remove(creator, deleted.number);
    expect(await jobOf(deleted._id)).toBeNull();
    h.clock.set('2027-01-11T08:00:01Z');
    expect(await fire(deleted._id)).toBeNull();
    expect(postsTo('D0DEL')).toHaveLength(0);

    h.clock.set('2027-01-11T07:00:00Z');
    const edited = await tasks.create(
      newTask({ title: 'to edit', creatorId: 'U0EDIT', dueAt: new Date('2027-01-11T08:00:00Z') }),
    );
    await tasks.edit(creator, edited.number, { dueAt: new Date('2027-01-11T12:00:00Z') });
    expect((await jobOf(edited._id))?.nextRunAt).toEqual(backstop('2027-01-11T12:00:00Z'));
    // A job that still ran at the old time finds nothing due and waits for the new one.
    h.clock.set('2027-01-11T08:00:01Z');
    expect(await fire(edited._id)).toEqual(new Date('2027-01-11T12:00:00Z'));
    expect(postsTo('D0EDIT')).toHaveLength(0);
  });

  it('an edit made while a reminder is being posted stands; one that leaves the schedule alone keeps the firing', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const rule = parsed('review every day at 9am', now);
    const moved = await tasks.create(newTask({ title: 'moved meanwhile', creatorId: 'U0RACE1', ...rule }));
    const renamed = await tasks.create(newTask({ title: 'renamed meanwhile', creatorId: 'U0RACE2', ...rule }));
    h.clock.set('2027-01-11T08:00:00.100Z');
    /** Fires the task and, while Slack holds its post, makes `edit`: between the firing's read and its write. */
    const fireAround = async (taskId: unknown, channel: string, edit: () => Promise<unknown>) => {
      const held = h.fake.hold('chat.postMessage');
      const posted = new Promise<void>((resolve) =>
        h.fake.onCall((call) => {
          if (call.method === 'chat.postMessage' && call.body.channel === channel) resolve();
        }),
      );
      const firing = fire(taskId);
      await posted;
      await edit();
      held.release();
      return firing;
    };

    // Moved to 15:00 today while its 09:00 reminder was going out: 15:00 stands.
    const movedNext = await fireAround(moved._id, 'D0RACE1', () =>
      tasks.edit(creator, moved.number, { dueAt: new Date('2027-01-11T14:00:00Z') }),
    );
    expect(movedNext).toEqual(new Date('2027-01-11T14:00:00Z'));
    const movedNow = await reload(moved.number);
    expect(movedNow?.dueAt).toEqual(new Date('2027-01-11T14:00:00Z'));
    expect(movedNow?.nextFireAt).toEqual(new Date('2027-01-11T14:00:00Z'));

    // Renamed meanwhile: the new title stands, and so does the firing (tomorrow is next).
    const renamedNext = await fireAround(renamed._id, 'D0RACE2', () =>
      tasks.edit(creator, renamed.number, { title: 'renamed' }),
    );
    expect(renamedNext).toEqual(new Date('2027-01-12T08:00:00Z'));
    const renamedNow = await reload(renamed.number);
    expect(renamedNow?.title).toBe('renamed');
    expect(renamedNow?.firedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    expect(renamedNow?.nextFireAt).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(postsTo('D0RACE1')).toHaveLength(1);
    expect(postsTo('D0RACE2')).toHaveLength(1);
  });

  it('Done or Snooze clicked on a reminder after its post, before its record, acts on that occurrence', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const rule = parsed('stand-up every day at 9am', now);
    const doneEarly = await tasks.create(newTask({ title: 'done early', creatorId: 'U0CLICK1', ...rule }));
    const snoozedEarly = await tasks.create(newTask({ title: 'snoozed early', creatorId: 'U0CLICK2', ...rule }));
    h.clock.set('2027-01-11T08:00:00.100Z');
    const errorsBefore = h.errors().length;
    const firing = { reminder: new Date('2027-01-11T08:00:00Z') };
    /** Posts the reminder; the click comes before the dispatcher's lane records the firing. */
    const sendThenClick = async (taskId: unknown, click: () => Promise<unknown>) => {
      const sent = await h.services.reminders.send(String(taskId), noTouch);
      if (sent.kind !== 'posted') throw new Error(`expected a post, got ${sent.kind}`);
      await click();
      return sent.record();
    };

    const recorded = await sendThenClick(doneEarly._id, () => tasks.complete(creator, doneEarly.number, firing));
    // The record finds the task moved past the firing and says where it is now.
    expect(recorded).toEqual({ kind: 'fired', next: new Date('2027-01-12T08:00:00Z') });
    const done = await reload(doneEarly.number);
    expect(done?.status).toBe('open');
    expect(done?.closedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    expect(done?.firedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    expect(done?.nextFireAt).toEqual(new Date('2027-01-12T08:00:00Z'));

    await sendThenClick(snoozedEarly._id, () =>
      tasks.snooze(creator, snoozedEarly.number, new Date('2027-01-11T09:00:00Z'), firing),
    );
    const snoozed = await reload(snoozedEarly.number);
    expect(snoozed?.snoozedUntil).toEqual(new Date('2027-01-11T09:00:00Z'));
    expect(snoozed?.dueAt).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(snoozed?.nextFireAt).toEqual(new Date('2027-01-11T09:00:00Z'));
    // The snoozed reminder comes back at 10:00 Berlin, then the series goes on tomorrow.
    h.clock.set('2027-01-11T09:00:00.100Z');
    expect(await fire(snoozedEarly._id)).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(await fire(doneEarly._id)).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(postsTo('D0CLICK1')).toHaveLength(1);
    expect(postsTo('D0CLICK2')).toHaveLength(2);

    // Done on today's reminder while tomorrow's is due and not yet posted closes nothing more:
    // tomorrow's still goes out.
    h.clock.set('2027-01-12T08:00:00.100Z');
    const late = await tasks.complete(creator, doneEarly.number, firing);
    expect(late.nextFireAt).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(late.closedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    expect(await fire(doneEarly._id)).toEqual(new Date('2027-01-13T08:00:00Z'));
    expect(postsTo('D0CLICK1')).toHaveLength(2);
    // Every put-back landed: none was logged as lost.
    expect(h.errors().slice(errorsBefore)).toEqual([]);
  });

  it('a firing written over a stale read puts back what an edit changed, and keeps a rename', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const rule = parsed('review every day at 9am', now);
    const moved = await tasks.create(newTask({ title: 'moved under the write', creatorId: 'U0STALE1', ...rule }));
    const renamed = await tasks.create(newTask({ title: 'renamed under the write', creatorId: 'U0STALE2', ...rule }));
    const firing = { at: new Date('2027-01-11T08:00:00Z'), missed: null, now: new Date('2027-01-11T08:00:00.100Z') };
    const model = taskModel(h.database.connection);
    const { logger, lines } = capturingLogger();
    /** Reads the task, lets `edit` land, then writes the firing over what was read. */
    const advanceAfter = async (taskId: unknown, edit: () => Promise<unknown>) => {
      const stale = await model.findById(taskId);
      if (!stale) throw new Error('task not found');
      await edit();
      return advanceById(model, stale, firing, logger);
    };

    // Moved to 15:00: the firing's overwrite is put back and the caller is told to decide again.
    const movedResult = await advanceAfter(moved._id, () =>
      tasks.edit(creator, moved.number, { dueAt: new Date('2027-01-11T14:00:00Z') }),
    );
    expect(movedResult).toBe(CHANGED);
    const movedNow = await reload(moved.number);
    expect(movedNow?.dueAt).toEqual(new Date('2027-01-11T14:00:00Z'));
    expect(movedNow?.nextFireAt).toEqual(new Date('2027-01-11T14:00:00Z'));
    expect(movedNow?.firedOccurrence).toBeNull();

    // Renamed: the firing stands as written, with the new title.
    const renamedResult = await advanceAfter(renamed._id, () =>
      tasks.edit(creator, renamed.number, { title: 'renamed' }),
    );
    expect(renamedResult).toEqual(new Date('2027-01-12T08:00:00Z'));
    const renamedNow = await reload(renamed.number);
    expect(renamedNow?.title).toBe('renamed');
    expect(renamedNow?.firedOccurrence).toEqual(new Date('2027-01-11T08:00:00Z'));
    expect(renamedNow?.nextFireAt).toEqual(new Date('2027-01-12T08:00:00Z'));
    expect(lines().filter((line) => line.level === 50)).toEqual([]);
  });

  it('ends a series at its count and at its end date', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const counted = await tasks.create(
      newTask({
        title: 'twice',
        creatorId: 'U0COUNT',
        dueAt: new Date('2027-01-11T08:00:00Z'),
        recurrence: { rrule: 'DTSTART;TZID=Europe/Berlin:20270111T090000\nRRULE:FREQ=DAILY;COUNT=2', tz: BERLIN },
      }),
    );
    h.clock.set('2027-01-11T08:00:00.100Z');
    expect(await fire(counted._id)).toEqual(new Date('2027-01-12T08:00:00Z'));
    h.clock.set('2027-01-12T08:00:00.100Z');
    expect(await fire(counted._id)).toBeNull();

    h.clock.set(now);
    const until = await tasks.create(
      newTask({ title: 'until', creatorId: 'U0UNTIL', ...parsed('stretch every day at 9am until January 12', now) }),
    );
    h.clock.set('2027-01-11T08:00:00.100Z');
    expect(await fire(until._id)).toEqual(new Date('2027-01-12T08:00:00Z'));
    h.clock.set('2027-01-12T08:00:00.100Z');
    expect(await fire(until._id)).toBeNull();
    expect(postsTo('D0COUNT')).toHaveLength(2);
    expect(postsTo('D0UNTIL')).toHaveLength(2);
  });

  it('fires a reminder missed while TaskPilot was down once, marked, and never a burst', async () => {
    const now = new Date('2027-01-11T07:00:00Z');
    h.clock.set(now);
    const task = await tasks.create(
      newTask({ title: 'daily check', creatorId: 'U0MISSED', ...parsed('check every day at 9am', now) }),
    );
    // Down from Monday 08:59 until Thursday 10:30: Monday to Thursday were missed.
    h.clock.set('2027-01-14T09:30:00Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-15T08:00:00Z'));
    const posts = postsTo('D0MISSED');
    expect(posts).toHaveLength(1);
    const text = JSON.stringify(posts[0]?.body.blocks);
    expect(text).toContain('Missed while TaskPilot was down — due Mon 11 Jan 2027, 09:00');
    expect(text).toContain('4 occurrences missed');
    const stored = await reload(task.number);
    expect(stored?.missed).toMatchObject({ at: new Date('2027-01-11T08:00:00Z'), count: 4, postedLate: true });
    const list = buildTaskList([toSummary(stored as never)], { tz: BERLIN, now: h.clock.now(), heading: 'Yours' });
    expect(JSON.stringify(list.blocks)).toContain('missed while TaskPilot was down');

    // The "skip" policy records the miss without posting.
    h.clock.set(now);
    const skipper = await tasks.create(
      newTask({ title: 'skip me', creatorId: 'U0SKIP', missedPolicy: 'skip', dueAt: new Date('2027-01-11T08:00:00Z') }),
    );
    h.clock.set('2027-01-11T12:00:00Z');
    expect(await fire(skipper._id)).toBeNull();
    expect(postsTo('D0SKIP')).toHaveLength(0);
    expect((await reload(skipper.number))?.missed).toMatchObject({ count: 1, postedLate: false });
    const delivery = await deliveryModel(h.database.connection).findOne({ taskId: skipper._id });
    expect(delivery?.state).toBe('skipped');
  });

  it('tells the creator when the channel is gone or the bot is not in it, with the reminder', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    h.fake.answer('chat.postMessage', (body) =>
      body.channel === 'C0GONE'
        ? { ok: false, error: 'channel_not_found' }
        : body.channel === 'C0NOTIN'
          ? { ok: false, error: 'not_in_channel' }
          : { channel: body.channel, ts: `${Date.now() / 1000}` },
    );
    try {
      const gone = await tasks.create(
        newTask({
          title: 'post in a deleted channel',
          creatorId: 'U0OWNER',
          channelId: 'C0GONE',
          dueAt: new Date('2027-01-11T08:00:00Z'),
        }),
      );
      const notIn = await tasks.create(
        newTask({
          title: 'post where I am not',
          creatorId: 'U0OWNER',
          channelId: 'C0NOTIN',
          dueAt: new Date('2027-01-11T08:00:00Z'),
        }),
      );
      h.clock.set('2027-01-11T08:00:01Z');
      await expect(fire(gone._id)).resolves.toBeNull();
      await expect(fire(notIn._id)).resolves.toBeNull();
      const told = postsTo('D0OWNER').map((call) => JSON.stringify(call.body.blocks));
      expect(told).toHaveLength(2);
      expect(told[0]).toContain("can't find the channel");
      expect(told[0]).toContain('post in a deleted channel');
      expect(told[1]).toContain("I'm not a member of <#C0NOTIN>");
      const states = await deliveryModel(h.database.connection).find({ taskId: { $in: [gone._id, notIn._id] } });
      expect(states.map((delivery) => delivery.state)).toEqual(['redirected', 'redirected']);
    } finally {
      h.fake.answer('chat.postMessage', (body) => ({ channel: body.channel, ts: `${(Date.now() / 1000).toFixed(6)}` }));
    }
  });

  it('nags every N minutes after the reminder until done', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const task = await tasks.create(
      newTask({
        title: 'submit timesheet',
        creatorId: 'U0NAG',
        nagMinutes: 30,
        dueAt: new Date('2027-01-11T08:00:00Z'),
      }),
    );
    h.clock.set('2027-01-11T08:00:00.100Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-11T08:30:00.100Z'));
    h.clock.set('2027-01-11T08:30:00.200Z');
    expect(await fire(task._id)).toEqual(new Date('2027-01-11T09:00:00.200Z'));
    expect(postsTo('D0NAG')).toHaveLength(2);
    // Nagging turned on for a reminder that already went out starts one interval from now.
    const quiet = await tasks.setNag(creator, task.number, null);
    expect(quiet.nextFireAt).toBeNull();
    const again = await tasks.setNag(creator, task.number, 60);
    expect(again.nextFireAt).toEqual(new Date('2027-01-11T09:30:00.200Z'));
    const done = await tasks.complete(creator, task.number);
    expect(done.status).toBe('done');
    expect(await jobOf(task._id)).toBeNull();
  });

  it('the reconciler gives a due task whose job went missing its job back', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const task = await tasks.create(newTask({ title: 'lost job', dueAt: new Date('2027-01-11T07:02:00Z') }));
    await h.scheduler.agenda.cancel({ name: 'reminder.fire', data: { taskId: String(task._id) } });
    expect(await jobOf(task._id)).toBeNull();
    expect(await h.services.reminderSchedule.reconcile(h.clock.now(), 5 * 60_000)).toBeGreaterThanOrEqual(1);
    expect((await jobOf(task._id))?.nextRunAt).toEqual(backstop('2027-01-11T07:02:00Z'));

    // A job waiting for a retry keeps its backoff: the reconciler leaves it alone.
    const retryAt = new Date('2027-01-11T07:10:00Z');
    await h.database.connection.db
      ?.collection(Scheduler.COLLECTION)
      .updateOne(
        { name: 'reminder.fire', 'data.taskId': String(task._id) },
        { $set: { nextRunAt: retryAt, failCount: 1 } },
      );
    await h.services.reminderSchedule.reconcile(h.clock.now(), 5 * 60_000);
    expect((await jobOf(task._id))?.nextRunAt).toEqual(retryAt);
  });

  it('the reconciler gives no job back to a revoked workspace’s tasks, and still repairs the others', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const revoked = await tasks.create(
      newTask({ teamId: 'T0GONE', title: 'revoked team', dueAt: new Date('2027-01-11T07:01:00Z') }),
    );
    const active = await tasks.create(newTask({ title: 'active team', dueAt: new Date('2027-01-11T07:03:00Z') }));
    for (const task of [revoked, active]) {
      await h.scheduler.agenda.cancel({ name: 'reminder.fire', data: { taskId: String(task._id) } });
    }
    expect(await h.services.reminderSchedule.reconcile(h.clock.now(), 5 * 60_000, new Set(['T0GONE']))).toBe(1);
    expect(await jobOf(revoked._id)).toBeNull();
    expect((await jobOf(active._id))?.nextRunAt).toEqual(backstop('2027-01-11T07:03:00Z'));
  });

  it('a retry after a failure is not reported as missed, even past the grace minute', async () => {
    h.clock.set('2027-01-11T07:00:00Z');
    const task = await tasks.create(
      newTask({
        title: 'retried',
        creatorId: 'U0RETRY',
        missedPolicy: 'skip',
        dueAt: new Date('2027-01-11T08:00:00Z'),
      }),
    );
    h.clock.set('2027-01-11T08:01:30Z');
    await h.services.reminders.fire(String(task._id), { ...noTouch, retrying: true });
    const posts = postsTo('D0RETRY');
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body.blocks)).not.toContain('Missed while');
  });

  it('sends the morning digest at 09:00 local with the tasks of the day, once, and stops when turned off', async () => {
    h.clock.set('2027-01-11T03:00:00Z');
    const next = await h.services.digests.set(TEAM, 'U0DIGEST', true, 'Asia/Kolkata');
    // 09:00 in Kolkata (UTC+05:30) is 03:30 UTC.
    expect(next).toEqual(new Date('2027-01-11T03:30:00Z'));
    const job = await h.database.connection.db
      ?.collection(Scheduler.COLLECTION)
      .findOne({ name: 'digest.send', 'data.userId': 'U0DIGEST' });
    expect(job?.nextRunAt).toEqual(next);
    await tasks.create(
      newTask({
        title: 'today item',
        creatorId: 'U0DIGEST',
        tz: 'Asia/Kolkata',
        dueAt: new Date('2027-01-11T10:00:00Z'),
      }),
    );
    await tasks.create(
      newTask({
        title: 'tomorrow item',
        creatorId: 'U0DIGEST',
        tz: 'Asia/Kolkata',
        dueAt: new Date('2027-01-12T10:00:00Z'),
      }),
    );

    h.clock.set('2027-01-11T03:30:00.300Z');
    const data = { teamId: TEAM, userId: 'U0DIGEST' };
    expect(await h.services.digests.send(data, noTouch)).toEqual(new Date('2027-01-12T03:30:00Z'));
    expect(await h.services.digests.send(data, noTouch)).toEqual(new Date('2027-01-12T03:30:00Z'));
    const posts = postsTo('D0DIGEST');
    expect(posts).toHaveLength(1);
    const text = JSON.stringify(posts[0]?.body.blocks);
    expect(text).toContain('today item');
    expect(text).not.toContain('tomorrow item');

    await h.services.digests.set(TEAM, 'U0DIGEST', false, 'Asia/Kolkata');
    expect(await h.services.digests.send(data, noTouch)).toBeNull();
    expect(
      await h.database.connection.db
        ?.collection(Scheduler.COLLECTION)
        .findOne({ name: 'digest.send', 'data.userId': 'U0DIGEST' }),
    ).toBeNull();
  });
});
