import { deadLetterModel } from '../../src/db/models/dead-letter';
import { Scheduler } from '../../src/scheduler/scheduler';
import { requireBuild, spawnNode } from '../helpers/child';
import { openTestDatabase, type TestDatabase } from '../helpers/db';

describe('taskpilot dlq', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    requireBuild();
    database = await openTestDatabase('cli_dlq');
  });
  afterAll(() => database.cleanup());

  async function dlq(...args: string[]) {
    const run = spawnNode(['bin/taskpilot.js', 'dlq', ...args], { PATH: process.env.PATH, MONGODB_URI: database.uri });
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  it('lists, retries and drops dead letters', async () => {
    const letters = deadLetterModel(database.connection);
    const [retryMe, dropMe] = await letters.create([
      {
        jobName: 'reminder.redeliver',
        jobData: { taskId: 'a'.repeat(24), teamId: 'T1', at: '2027-01-11T08:00:00.000Z' },
        teamId: 'T1',
        error: 'internal_error',
        failCount: 6,
      },
      {
        jobName: 'digest.send',
        jobData: { teamId: 'T1', userId: 'U1' },
        teamId: 'T1',
        error: 'fetch failed',
        failCount: 6,
      },
    ]);

    const listed = await dlq('list', '--json');
    expect(listed.code).toBe(0);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((row) => row.id).sort()).toEqual([String(retryMe?._id), String(dropMe?._id)].sort());
    expect(rows.find((row) => row.id === String(retryMe?._id))).toMatchObject({
      job: 'reminder.redeliver',
      failures: 6,
      error: 'internal_error',
    });

    const retried = await dlq('retry', String(retryMe?._id));
    expect(retried.code).toBe(0);
    const job = await database.connection.db?.collection(Scheduler.COLLECTION).findOne({ name: 'reminder.redeliver' });
    expect(job?.data).toMatchObject({ taskId: 'a'.repeat(24), at: '2027-01-11T08:00:00.000Z' });

    expect((await dlq('drop', String(dropMe?._id))).code).toBe(0);
    expect((await dlq('list')).stdout).toContain('The dead-letter queue is empty.');
    expect((await dlq('list', '--all', '--json')).stdout).toContain('"state":"dropped"');

    const again = await dlq('retry', String(retryMe?._id));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no open dead letter with id ${String(retryMe?._id)}`);
  }, 60_000);
});
