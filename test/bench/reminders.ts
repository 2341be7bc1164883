// Benchmark (not a test): 1,000 reminders due within one minute, fired by a worker with the
// production settings and delivered to the fake Slack API. Prints lateness (post received by
// Slack minus due time) p50/p99/max, lost and duplicated. Run with `npm run bench:reminders`;
// figures go in the README. BENCH_SPREAD_MS=0 puts every reminder on the same instant.
import os from 'node:os';
import { taskModel } from '../../src/db/models/task';
import { JobNames } from '../../src/reminders/reminder-schedule';
import { Scheduler } from '../../src/scheduler/scheduler';
import { runBench, startBenchApp } from './bench-app';
import { latenessOf } from './reminder-lateness';

const COUNT = Number(process.env.BENCH_REMINDERS ?? 1000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
// Creating the tasks comes first, and on FerretDB it is slow (150–220 s for 1,000: each create
// refreshes its creator's home tab, a query FerretDB answers by scanning; see the README).
const LEAD_MS = Number(process.env.BENCH_LEAD_MS ?? 30_000 + COUNT * 300);
const GRACE_MS = 30_000;

async function main(): Promise<void> {
  const app = await startBenchApp({ SANDBOX_ENABLED: 'false' });
  const { runtime, fake, config, database } = app;
  const tasks = runtime.services.tasks;

  const start = Date.now() + LEAD_MS;
  const dueByChannel = new Map<string, number>();
  const created = Date.now();
  for (let index = 0; index < COUNT; index += 1) {
    const due = start + Math.floor((index * SPREAD_MS) / COUNT);
    const userId = `U0B${String(index).padStart(5, '0')}`;
    dueByChannel.set(`D0B${String(index).padStart(5, '0')}`, due);
    await tasks.create({
      teamId: 'T0BENCH',
      creatorId: userId,
      title: `bench reminder ${index}`,
      assignees: [],
      channelId: null,
      dueAt: new Date(due),
      tz: 'UTC',
      recurrence: null,
      source: { kind: 'command', channelId: 'C0BENCH' },
    });
  }
  // Creating a task refreshes its creator's home tab in the background: let that finish first.
  await runtime.services.background.idle();
  const createdMs = Date.now() - created;
  process.stderr.write(`created ${COUNT} reminders in ${(createdMs / 1000).toFixed(1)} s\n`);
  if (Date.now() > start) process.stderr.write('warning: creating the reminders took longer than the lead time\n');

  // The backstop jobs run only for reminders the dispatcher did not post and record in time.
  let backstopRuns = 0;
  runtime.scheduler.agenda.on(`start:${JobNames.fireReminder}`, () => {
    backstopRuns += 1;
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  const deadline = start + SPREAD_MS + GRACE_MS;
  const posts = () => fake.callsTo('chat.postMessage');
  while (Date.now() < deadline && new Set(posts().map((call) => call.body.channel)).size < COUNT) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const lastPost = Math.max(0, ...posts().map((call) => call.at));
  // A little longer, so duplicates that would follow have the chance to show.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  clearInterval(sampler);

  // The posts go first and the bookkeeping follows: every task moved past its reminder and every
  // one-off's job gone, which a trailing record lane must also reach.
  const connection = runtime.connection;
  const pendingTasks = () => taskModel(connection).countDocuments({ teamId: 'T0BENCH', nextFireAt: { $ne: null } });
  const pendingJobs = async () =>
    (await connection.db?.collection(Scheduler.COLLECTION).countDocuments({ name: JobNames.fireReminder })) ?? -1;
  let unrecorded = await pendingTasks();
  let jobsLeft = await pendingJobs();
  while ((unrecorded > 0 || jobsLeft > 0) && Date.now() < deadline + GRACE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    unrecorded = await pendingTasks();
    jobsLeft = await pendingJobs();
  }
  const recordedAfterMs = Date.now() - lastPost;

  const report = latenessOf(
    dueByChannel,
    posts().map((call) => ({ channel: String(call.body.channel), at: call.at })),
    { start, ms: SPREAD_MS },
  );
  const { lost, duplicated, worstBySixth } = report;

  process.stdout.write(
    `${[
      `reminders: ${COUNT} due over ${SPREAD_MS / 1000} s, one worker (poll ${config.jobs.pollMs} ms, concurrency ${config.jobs.concurrency}), ${database ? `embedded ${database.kind}` : 'MONGODB_URI'} database, Node ${process.version}, ${os.cpus().length} cores`,
      `created in ${(createdMs / 1000).toFixed(1)} s (${Math.round(COUNT / (createdMs / 1000))} tasks/s, each with its job)`,
      `lateness (Slack received - due): p50 ${report.p50} ms, p99 ${report.p99} ms, max ${report.max} ms (target p99 < 1000 ms)`,
      `worst lateness in each sixth of the spread: ${worstBySixth.join(', ')} ms`,
      `lost: ${lost}, duplicated: ${duplicated} (target 0 and 0)`,
      `recorded: ${COUNT - unrecorded} of ${COUNT} tasks moved on, ${jobsLeft} jobs left, checked ${(recordedAfterMs / 1000).toFixed(1)} s after the last post; backstop jobs run: ${backstopRuns}`,
      `peak RSS of the benchmark process (app + fake Slack): ${Math.round(peakRss / 1024 / 1024)} MB`,
    ].join('\n')}\n`,
  );
  await app.stop();
}

runBench(main);
