// Seeds tasks through the app's own TaskService (numbers from the counter, each reminder's
// Agenda job written by ReminderSchedule) against a running TaskPilot's database. `npm run bench`
// imports it; from the command line:
//
//   node dist-bench/test/bench/seed.js --uri mongodb://127.0.0.1:PORT/taskpilot --count 10000
//
// No watchers are attached (no home-tab refresh or notice per task): a seeded history has
// nobody looking at it, and the running app's dispatcher finds the reminders on its next scan.
import { parseArgs } from 'node:util';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../src/config';
import { connectMongo } from '../../src/db/connection';
import { createLogger, type Logger } from '../../src/logger';
import { ReminderSchedule } from '../../src/reminders/reminder-schedule';
import { Scheduler } from '../../src/scheduler/scheduler';
import { type NewTask, TaskService } from '../../src/tasks/task-service';
import { type SeedShape, seedTask } from '../helpers/seed-tasks';

export interface Seeder {
  tasks: TaskService;
  connection: Connection;
  close(): Promise<void>;
}

/** TaskService and its reminder sync over `uri`, built as composeServices builds them. */
export async function openSeeder(uri: string, logger: Logger): Promise<Seeder> {
  const config = loadConfig({ SLACK_SIGNING_SECRET: 'seed', SLACK_BOT_TOKEN: 'xoxb-seed', MONGODB_URI: uri });
  const connection = await connectMongo({ uri, logger });
  const db = connection.db;
  if (!db) throw new Error('no database');
  // Built, never started: it only writes jobs here; the app's own scheduler runs them.
  const scheduler = new Scheduler({ db, logger, processEveryMs: config.jobs.pollMs });
  const schedule = new ReminderSchedule(scheduler.agenda, db, connection, logger, config.jobs.backstopMs);
  const tasks = new TaskService(connection, () => new Date(), schedule);
  await tasks.init();
  return {
    tasks,
    connection,
    async close() {
      await connection.close();
    },
  };
}

export interface SeedProgress {
  created: number;
  failed: number;
  ms: number;
  /** True when the time allowed ran out before `count` were created. */
  cutShort: boolean;
}

/**
 * Creates tasks `first`…`first + count - 1` of the seed shape (or what `input` gives), `concurrency`
 * at a time, until done or `deadline` (epoch ms).
 */
export async function seedTasks(
  tasks: TaskService,
  options: {
    count: number;
    shape?: SeedShape;
    input?: (index: number) => NewTask;
    first?: number;
    concurrency?: number;
    deadline?: number;
    onProgress?: (created: number) => void;
  },
): Promise<SeedProgress> {
  const started = Date.now();
  const first = options.first ?? 0;
  const input =
    options.input ??
    ((index: number) => {
      if (!options.shape) throw new Error('seedTasks needs a shape or an input');
      return seedTask(index, options.shape);
    });
  let next = 0;
  let created = 0;
  let failed = 0;
  let cutShort = false;
  const worker = async () => {
    while (next < options.count) {
      if (options.deadline && Date.now() > options.deadline) {
        cutShort = true;
        return;
      }
      const index = first + next;
      next += 1;
      try {
        await tasks.create(input(index));
        created += 1;
        if (created % 500 === 0) options.onProgress?.(created);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { created, failed, ms: Date.now() - started, cutShort };
}

/** The seed shape the benchmark uses: 200 people, 40 channels, read two days ahead. */
export function benchShape(teamId: string): SeedShape {
  return { teamId, people: 200, channels: 40, tz: 'Europe/Berlin', parseAt: new Date(Date.now() + 2 * 86_400_000) };
}

async function cli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      uri: { type: 'string' },
      count: { type: 'string', default: '10000' },
      team: { type: 'string', default: 'T0BENCH' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  if (!values.uri)
    throw new Error('usage: seed.js --uri MONGODB_URI [--count 10000] [--team T0BENCH] [--concurrency 4]');
  const logger = createLogger({ level: 'warn', pretty: false });
  const seeder = await openSeeder(values.uri, logger);
  const progress = await seedTasks(seeder.tasks, {
    count: Number(values.count),
    shape: benchShape(values.team),
    concurrency: Number(values.concurrency),
    onProgress: (created) => process.stderr.write(`${created} created\n`),
  });
  await seeder.close();
  process.stdout.write(`${JSON.stringify(progress)}\n`);
}

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
