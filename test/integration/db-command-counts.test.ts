// Hot paths stay logarithmic in the number of tasks (issue 15): the database commands a create,
// a list, a reminder firing and a Done click issue, counted through the driver's command
// monitoring, are the same with 50 tasks stored and with 2,000; and every filter they send is
// served by an index the models declare. The count carries over to MongoDB, where FerretDB's
// timings do not.
//
// What the index check leaves out, and why: inserts carry no filter, and getMore continues a
// find already checked. Sorts are not checked: each list's sort follows its index's equality
// prefix (dueAt), with `number` only breaking ties among a person's own rows, which MongoDB sorts
// in memory within the list's limit of 200. Agenda's own poll and lock queries are not among the
// operations (this app is of the web role): they run per poll, not per request, and are Agenda's.
import { taskModel } from '../../src/db/models/task';
import { FakeSlack } from '../../src/playground/fake-slack';
import type { Runtime } from '../../src/runtime';
import { Scheduler } from '../../src/scheduler/scheduler';
import { countByCommand, type RecordedCommand, withCommandMonitoring } from '../helpers/command-counter';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { declaredIndexes, unservedQueries } from '../helpers/index-coverage';
import { httpDriver, measureOperations, type OperationDriver } from '../helpers/operation-counts';
import { TestClock } from '../helpers/reminders';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';
import { insertSeedTasks, seedPerson, seedTask } from '../helpers/seed-tasks';

const TEAM = 'T0TEST';
const NOW = new Date('2026-03-04T09:30:00Z'); // Wednesday 10:30 in Berlin
const SMALL = 50;
const LARGE = 2000;
// One of the seeded people: their own lists hold a task or two at 50 tasks and about ten at
// 2,000, as a person's would in a growing workspace.
const USER = seedPerson(1);

describe('database commands per operation', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };
  let driver: OperationDriver;
  const clock = new TestClock(NOW);

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.answer('users.info', (body) => ({ user: { id: body.user, tz: 'Europe/Berlin', is_admin: false } }));
    // The web role: no scheduler polling or dispatcher scans to count by accident. A firing is
    // driven as the dispatcher drives it (see measureOperations).
    runtime = await startTestRuntime({
      mongoUri: withCommandMonitoring(uriForDb(uniqueDbName('command_counts'))),
      slackApiUrl: slack.apiUrl,
      role: 'web',
      extra: { now: clock.now },
    });
    driver = httpDriver({
      baseUrl: runtime.baseUrl,
      signingSecret: TEST_SIGNING_SECRET,
      slack,
      teamId: TEAM,
      services: runtime.services,
      connection: runtime.connection,
      clock,
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  /**
   * The background scans that run every few seconds over every task: the dispatcher's (what fires
   * soon) and the reconciler's (every reminder due soon has its job), as their jobs call them,
   * and the maintenance sweep of expired Slack event ids.
   */
  async function scans(): Promise<RecordedCommand[]> {
    const { services } = runtime;
    driver.counter.take();
    await services.reminderSchedule.dueBy(
      new Date(clock.now().getTime() + 60_000),
      await services.workspaces.revokedTeams(),
    );
    await services.reminderSchedule.reconcile(clock.now(), 5 * 60_000, await services.workspaces.revokedTeams());
    await services.processedEvents.sweep();
    return driver.counter.take();
  }

  it('issues the same commands at 50 and at 2,000 tasks, each filter served by a declared index', async () => {
    const { counter } = driver;
    const shape = {
      teamId: TEAM,
      people: 200,
      channels: 40,
      tz: 'Europe/Berlin',
      // Far beyond the days each pass moves the clock on: no seeded reminder comes due in the test.
      parseAt: new Date(NOW.getTime() + 30 * 86_400_000),
    };
    // The small store through the service itself, so its Agenda jobs are Agenda's own.
    for (let index = 0; index < SMALL; index += 1) await runtime.services.tasks.create(seedTask(index, shape));
    await runtime.services.background.idle();
    counter.take();
    const small = { ...(await measureOperations(driver, USER, 2)), scans: await scans() };

    const jobTemplate = await runtime.connection.db?.collection(Scheduler.COLLECTION).findOne({});
    if (!jobTemplate) throw new Error('the creates left no Agenda job to copy');
    const more = Array.from({ length: LARGE - SMALL }, (_, offset) => seedTask(SMALL + offset, shape));
    await insertSeedTasks(runtime.connection, more, {
      jobTemplate,
      backstopMs: runtime.services.reminderSchedule.backstopFor(new Date(0)).getTime(),
    });
    expect(await taskModel(runtime.connection).countDocuments({ teamId: TEAM })).toBeGreaterThanOrEqual(LARGE);
    counter.take();
    const large = { ...(await measureOperations(driver, USER, 2)), scans: await scans() };

    const table = (measured: Record<string, RecordedCommand[]>) =>
      Object.fromEntries(
        Object.entries(measured).map(([operation, commands]) => [operation, countByCommand(commands)]),
      );
    // The whole table at once, so a failure shows every operation's commands side by side.
    expect({ [LARGE]: table(large) }).toEqual({ [LARGE]: table(small) });
    for (const commands of Object.values(small)) expect(commands.length).toBeGreaterThan(0);

    const indexes = await declaredIndexes(runtime.connection);
    const everything = [...Object.values(small), ...Object.values(large)].flat();
    expect(unservedQueries(everything, indexes)).toEqual([]);
    counter.stop();
  });
});
