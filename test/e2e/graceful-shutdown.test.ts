import { Scheduler } from '../../src/scheduler/scheduler';
import { requireBuild, spawnNode } from '../helpers/child';
import { openTestDatabase, type TestDatabase } from '../helpers/db';
import { within } from '../helpers/eventually';
import { testLogger } from '../helpers/logger';

describe('SIGTERM while a job runs', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    requireBuild();
    database = await openTestDatabase('graceful_shutdown');
  });
  afterAll(() => database.cleanup());

  it('exits 0 within 10 s and the interrupted job runs after the next start', async () => {
    const db = database.connection.db;
    if (!db) throw new Error('no db');
    const enqueuer = new Scheduler({ db, logger: testLogger() });
    await enqueuer.agenda.ready;
    const job = await enqueuer.agenda.now('test.slow', { note: 'interrupted' });
    const jobId = String(job.attrs._id);

    const worker = spawnNode(['test/fixtures/slow-job-worker.js'], {
      PATH: process.env.PATH,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_BOT_TOKEN: 'xoxb-test',
      MONGODB_URI: database.uri,
      PORT: '0',
      SANDBOX_ENABLED: 'false',
    });
    await worker.line(new RegExp(`^job-started ${jobId}$`));
    // The job can start before start-up has finished; the signal handlers are in place once the
    // fixture says ready (a SIGTERM before that ends the process as Node's default does).
    await worker.line(/^ready \d+$/);

    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const { code } = await worker.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);

    // The next start picks the job up again: nothing was lost. (A short lock lifetime, because
    // Agenda's per-job watchdog timer outlives the job by up to half of it and would keep Jest up.)
    const rerun = new Scheduler({ db, logger: testLogger(), defaultLockLifetimeMs: 2000 });
    const ranAgain = new Promise<string>((resolve) => {
      rerun.agenda.define('test.slow', async (again) => resolve(String(again.attrs._id)));
    });
    await rerun.start();
    try {
      await expect(within(ranAgain, 10_000, 'the interrupted job running again')).resolves.toBe(jobId);
    } finally {
      await rerun.shutdown(1000);
    }
  });
});
