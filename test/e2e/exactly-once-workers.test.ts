import { deliveryModel } from '../../src/db/models/delivery';
import type { FakeSlack } from '../../src/playground/fake-slack';
import { requireBuild, type Spawned, spawnNode } from '../helpers/child';
import { eventually } from '../helpers/eventually';
import { newTask, type ReminderHarness, startReminderHarness } from '../helpers/reminders';

const REMINDERS = 30;
/** Scheduling settings every process here shares (the harness writes the jobs the workers run). */
const SCHEDULE_ENV = {
  TASKPILOT_POLL_MS: '200',
  TASKPILOT_DISPATCH_MS: '200',
  TASKPILOT_REMINDER_BACKSTOP_MS: '1000',
  TASKPILOT_JOB_LOCK_MS: '3000',
};

/**
 * Two worker processes share one schedule: both dispatch every reminder on time and the delivery
 * claim lets one post it. One is killed with SIGKILL while Slack has its message and it has not
 * heard back; the survivor's backstop job takes the delivery over once its lease runs out. Every
 * occurrence must be posted exactly once, counted at the fake Slack API.
 */
describe('two workers, one killed mid-delivery', () => {
  let h: ReminderHarness;
  let slack: FakeSlack;
  const workers: Spawned[] = [];

  beforeAll(async () => {
    requireBuild();
    // The harness only creates tasks and their jobs here; its scheduler does not run jobs.
    h = await startReminderHarness('exactly_once', { env: SCHEDULE_ENV });
    slack = h.fake;
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await h.cleanup();
  });

  function startWorker(token: string): Spawned {
    const worker = spawnNode(['bin/taskpilot.js', 'start', '--role', 'worker'], {
      PATH: process.env.PATH,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_BOT_TOKEN: token,
      SLACK_API_URL: slack.apiUrl,
      MONGODB_URI: h.database.uri,
      PORT: '0',
      SANDBOX_ENABLED: 'false',
      ...SCHEDULE_ENV,
      LOG_LEVEL: 'info',
    });
    workers.push(worker);
    return worker;
  }

  it('posts every occurrence exactly once', async () => {
    const a = startWorker('xoxb-worker-a');
    const b = startWorker('xoxb-worker-b');
    await Promise.all([a.line(/"msg":"scheduler started"/), b.line(/"msg":"scheduler started"/)]);

    const hold = slack.hold('chat.postMessage');
    const due = new Date(Date.now() + 1500);
    const users = Array.from({ length: REMINDERS }, (_, index) => `U0ONCE${index}`);
    const tasks = await Promise.all(
      users.map((userId) =>
        h.services.tasks.create(newTask({ title: `once ${userId}`, creatorId: userId, dueAt: due })),
      ),
    );

    const first = await slack.waitForCall('chat.postMessage', () => true, 15_000);
    const victim = first.authorization === 'Bearer xoxb-worker-a' ? a : b;
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    hold.release();

    const deliveries = deliveryModel(h.database.connection);
    await eventually(
      async () =>
        (await deliveries.countDocuments({ state: 'sent', taskId: { $in: tasks.map((task) => task._id) } })) ===
        REMINDERS,
      'every occurrence recorded as sent',
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    const posts = slack.callsTo('chat.postMessage');
    for (const userId of users) {
      const channel = `D${userId.replace(/^U/, '')}`;
      expect({ channel, posts: posts.filter((call) => call.body.channel === channel).length }).toEqual({
        channel,
        posts: 1,
      });
    }
    // The killed worker's message reached Slack before it died: the survivor took the delivery
    // over, found the message by its metadata and did not post it again.
    const heldTask = tasks.find((task) => `D${task.creatorId.replace(/^U/, '')}` === first.body.channel);
    const taken = await deliveries.findOne({ taskId: heldTask?._id });
    expect(taken?.attempts).toBeGreaterThanOrEqual(2);
    expect(slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
