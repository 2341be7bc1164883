import { composeServices } from '../../src/compose';
import { type Config, loadConfig } from '../../src/config';
import { FakeSlack } from '../../src/playground/fake-slack';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { Services } from '../../src/services';
import type { NewTask } from '../../src/tasks/task-service';
import { openTestDatabase, type TestDatabase } from './db';
import { capturingLogger } from './logger';

/** A clock tests move by hand. */
export class TestClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current);
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface ReminderHarness {
  database: TestDatabase;
  fake: FakeSlack;
  scheduler: Scheduler;
  services: Services;
  config: Config;
  clock: TestClock;
  /** The error lines the services logged so far. */
  errors(): Record<string, unknown>[];
  cleanup(): Promise<void>;
}

export const TEAM = 'T0TEST';

/** Real services over a fresh database and a fake Slack; the scheduler is built but not started. */
export async function startReminderHarness(
  label: string,
  /** `start`: a TestClock from that instant; omitted, the real clock (for tests that run the scheduler). */
  options: { start?: Date | string; env?: Record<string, string> },
): Promise<ReminderHarness> {
  const database = await openTestDatabase(label);
  const fake = await FakeSlack.start();
  const config = loadConfig({
    SLACK_SIGNING_SECRET: 'test-signing-secret',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: fake.apiUrl,
    MONGODB_URI: database.uri,
    // Agenda's per-run watchdog timer outlives a job by half the lock lifetime: keep it short.
    TASKPILOT_JOB_LOCK_MS: '2000',
    ...options.env,
  });
  const db = database.connection.db;
  if (!db) throw new Error('no db');
  // Error lines are kept for tests to read; TEST_LOG_LEVEL=debug still shows everything.
  const debugLevel = process.env.TEST_LOG_LEVEL;
  const { logger, lines } = capturingLogger(debugLevel ?? 'error', { echo: debugLevel !== undefined });
  const clock = new TestClock(new Date(options.start ?? Date.now()));
  const now = options.start ? clock.now : () => new Date();
  const scheduler = new Scheduler({
    db,
    logger,
    processEveryMs: config.jobs.pollMs,
    defaultLockLifetimeMs: config.jobs.lockLifetimeMs,
    maxConcurrency: config.jobs.concurrency + 10,
  });
  const services = await composeServices({ config, connection: database.connection, scheduler, logger, now });
  return {
    database,
    fake,
    scheduler,
    services,
    config,
    clock,
    errors: () => lines().filter((line) => Number(line.level) >= 50),
    async cleanup() {
      await services.dispatcher.stop(1000);
      await scheduler.shutdown(1000);
      await services.background.idle();
      await fake.stop();
      await database.cleanup();
    },
  };
}

export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
    teamId: TEAM,
    creatorId: 'U0CREATOR',
    title: 'water the plants',
    assignees: [],
    channelId: null,
    dueAt: null,
    tz: 'Europe/Berlin',
    recurrence: null,
    source: { kind: 'command', channelId: 'C0GENERAL' },
    ...overrides,
  };
}

export const noTouch = { touch: async () => {} };
