import { defineJobs } from '../../../jobs';
import { deadLetterModel } from '../../../src/db/models/dead-letter';
import { deliveryModel } from '../../../src/db/models/delivery';
import { taskModel } from '../../../src/db/models/task';
import { Scheduler } from '../../../src/scheduler/scheduler';
import { eventually } from '../../helpers/eventually';
import { newTask, type ReminderHarness, startReminderHarness } from '../../helpers/reminders';

/** Reminders through the running dispatcher and scheduler (Agenda on the real database) and the fake Slack API. */
describe('scheduled reminders', () => {
  let h: ReminderHarness;

  beforeAll(async () => {
    h = await startReminderHarness('scheduled', {
      env: {
        TASKPILOT_POLL_MS: '200',
        TASKPILOT_DISPATCH_MS: '200',
        TASKPILOT_REMINDER_BACKSTOP_MS: '1000',
        TASKPILOT_JOB_RETRY_MS: '200',
        TASKPILOT_JOB_RETRIES: '2',
      },
    });
    defineJobs(h.scheduler.agenda, h.services, h.config.jobs, h.config.agents);
    await h.scheduler.start();
    h.services.dispatcher.start();
  });
  afterAll(() => h.cleanup());

  const dmPosts = (userId: string) =>
    h.fake.callsTo('chat.postMessage').filter((call) => call.body.channel === `D${userId.replace(/^U/, '')}`);

  it('the dispatcher sends a reminder on time, and its job only moves to the next backstop', async () => {
    // Daily from a whole second about 1.5 s away (iCalendar times have no milliseconds).
    const due = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const local = due.toISOString().replace(/[-:]/g, '').slice(0, 15);
    const task = await h.services.tasks.create(
      newTask({
        title: 'dispatched',
        creatorId: 'U0DISPATCH',
        dueAt: due,
        tz: 'UTC',
        recurrence: { rrule: `DTSTART;TZID=UTC:${local}\nRRULE:FREQ=DAILY`, tz: 'UTC' },
      }),
    );
    await eventually(async () => dmPosts('U0DISPATCH').length === 1, 'the reminder');
    const next = new Date(due.getTime() + 24 * 3600_000);
    const job = await eventually(async () => {
      const found = await h.database.connection.db?.collection(Scheduler.COLLECTION).findOne({ _id: task._id });
      return found?.nextRunAt?.getTime() === next.getTime() + h.config.jobs.backstopMs ? found : undefined;
    }, 'the job moved behind the next occurrence');
    // Agenda never ran it: the dispatcher fired the reminder and moved the job.
    expect(job.lastRunAt).toBeNull();
  });

  it('delivers every reminder exactly once through a storm of 429s with Retry-After', async () => {
    const users = Array.from({ length: 12 }, (_, index) => `U0STORM${index}`);
    h.fake.rateLimit('chat.postMessage', 20, 1);
    const due = new Date(Date.now() + 1500);
    const created = await Promise.all(
      users.map((userId) =>
        h.services.tasks.create(newTask({ title: `storm ${userId}`, creatorId: userId, dueAt: due })),
      ),
    );
    await eventually(
      async () => users.every((userId) => dmPosts(userId).length >= 1),
      'every stormed reminder arriving',
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    for (const userId of users) expect(dmPosts(userId)).toHaveLength(1);
    expect(h.services.reminders).toBeDefined();
    // A delivery is closed just after its post reaches Slack: wait for the last one to be.
    const states = async () =>
      (await deliveryModel(h.database.connection).find({ taskId: { $in: created.map((task) => task._id) } })).map(
        (delivery) => delivery.state,
      );
    await eventually(async () => (await states()).every((state) => state !== 'sending'), 'every delivery closed');
    expect(await states()).toEqual(users.map(() => 'sent'));
    // Still exactly once a little later: no retry re-posted anything.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const userId of users) expect(dmPosts(userId)).toHaveLength(1);
  }, 60_000);

  it('after the last retry a reminder goes to the dead-letter queue, admins are told once, and a retry delivers it', async () => {
    let failing = true;
    h.fake.answer('chat.postMessage', (body) =>
      failing && body.channel === 'D0BROKEN'
        ? { ok: false, error: 'internal_error' }
        : { channel: body.channel, ts: `${(Date.now() / 1000).toFixed(6)}` },
    );
    const task = await h.services.tasks.create(
      newTask({ title: 'will fail', creatorId: 'U0BROKEN', dueAt: new Date(Date.now() + 500) }),
    );
    const letters = deadLetterModel(h.database.connection);
    const entry = await eventually(
      async () => (await letters.findOne({ 'jobData.taskId': String(task._id) })) ?? undefined,
      'a dead letter',
      { timeoutMs: 30_000 },
    );
    expect(entry.jobName).toBe('reminder.redeliver');
    expect(entry.failCount).toBe(3);
    expect(entry.error).toContain('internal_error');
    const toAdmin = () => h.fake.callsTo('chat.postMessage').filter((call) => call.body.channel === 'D0ADMIN');
    const told = await eventually(async () => toAdmin().length > 0 && toAdmin(), 'admins told');
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]?.body.blocks)).toContain(`taskpilot dlq retry ${String(entry._id)}`);
    const delivery = await deliveryModel(h.database.connection).findOne({ taskId: task._id });
    expect(delivery?.state).toBe('failed');
    // The task moved on: nothing more is pending for this one-off.
    expect((await taskModel(h.database.connection).findById(task._id))?.nextFireAt).toBeNull();

    // The operator fixes the cause and retries: the reminder arrives, once.
    failing = false;
    const taken = await h.services.deadLetters.take(String(entry._id), 'retried');
    expect(taken?.state).toBe('retried');
    await h.scheduler.agenda.now(taken?.jobName ?? '', taken?.jobData);
    await eventually(
      async () =>
        h.fake.callsTo('chat.postMessage').some((call) => call.body.channel === 'D0BROKEN' && call.body.blocks),
      'the retried reminder',
    );
    await eventually(
      async () => (await deliveryModel(h.database.connection).findOne({ taskId: task._id }))?.state === 'sent',
      'delivery recorded',
    );
    expect(await h.services.deadLetters.take(String(entry._id), 'dropped')).toBeNull();
  }, 60_000);
});
